import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Registry } from './registry.ts';
import { canonicalJson, loadOrCreateSigningKey, publicKeyText, SIGNING_KEY_FILE } from './signing.ts';
import { fakeComponent, manifestFor, rejectsWith, tempDir, tempRegistry } from './test-fixtures.ts';

const keyPair = () => generateKeyPairSync('ed25519');

test('canonicalJson sorts keys at every depth and drops undefined', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  assert.equal(canonicalJson({ x: 'é"\n' }), JSON.stringify({ x: 'é"\n' }));
});

test('loadOrCreateSigningKey creates one private key file (0600) and reuses it', async (t) => {
  const keysDir = path.join(await tempDir(t), 'keys');
  const [first, racing] = await Promise.all([loadOrCreateSigningKey(keysDir), loadOrCreateSigningKey(keysDir)]);
  assert.equal(publicKeyText(first), publicKeyText(racing), 'two processes racing agree on one key');
  const file = path.join(keysDir, SIGNING_KEY_FILE);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.match(await readFile(file, 'utf8'), /BEGIN PRIVATE KEY/);
  assert.equal(publicKeyText(await loadOrCreateSigningKey(keysDir)), publicKeyText(first));

  await writeFile(file, 'garbage');
  await rejectsWith(loadOrCreateSigningKey(keysDir), 'TITAN_E_SIGNATURE_INVALID');
});

test('a signed manifest verifies, and yanking does not break the signature', async (t) => {
  const registry = await tempRegistry(t);
  const { privateKey } = keyPair();
  const signed = await registry.publish(fakeComponent(), manifestFor('echo', '1.0.0'), { signingKey: privateKey });
  assert.equal(signed.signature?.algorithm, 'ed25519');
  assert.equal(signed.signature?.publicKey, publicKeyText(privateKey));
  assert.ok(Buffer.from(signed.signature?.value ?? '', 'base64').length === 64);

  assert.equal((await registry.readBlob(signed)).length, signed.size);
  const yanked = await registry.yank({ name: 'echo', version: '1.0.0' }, 'superseded');
  assert.equal((await registry.readBlob(yanked)).length, signed.size);
  assert.deepEqual(await registry.verify(), { ok: true, checked: 1, problems: [] });
});

test('a signed manifest altered after signing is refused by readBlob and reported by verify', async (t) => {
  const registry = await tempRegistry(t);
  const { privateKey } = keyPair();
  const signed = await registry.publish(fakeComponent(), manifestFor('echo', '1.0.0'), { signingKey: privateKey });
  const file = path.join(registry.dir, 'manifests/tool/echo/1.0.0.json');
  const widened = { ...signed, capabilities: { http: { hosts: ['*'] } } };
  await writeFile(file, JSON.stringify(widened));

  const resolved = await registry.resolve({ name: 'echo' });
  await rejectsWith(registry.readBlob(resolved), 'TITAN_E_SIGNATURE_INVALID');
  const report = await registry.verify();
  assert.deepEqual(
    report.problems.map((p) => [p.ref, p.code]),
    [['tool/echo@1.0.0', 'TITAN_E_SIGNATURE_INVALID']],
  );

  // A signature claiming another key (swapped in to match the edit) does not verify either.
  const other = keyPair();
  await writeFile(file, JSON.stringify({ ...widened, signature: { ...signed.signature, publicKey: publicKeyText(other.privateKey) } }));
  await rejectsWith(registry.readBlob(await registry.resolve({ name: 'echo' })), 'TITAN_E_SIGNATURE_INVALID');
});

test('with trusted keys, only those keys may sign; unsigned and untrusted manifests are refused', async (t) => {
  const dir = path.join(await tempDir(t), 'registry');
  const trustedPair = keyPair();
  const strangerPair = keyPair();
  const open = await Registry.open(dir);
  const byStranger = await open.publish(fakeComponent(), manifestFor('stranger', '1.0.0'), { signingKey: strangerPair.privateKey });
  const unsigned = await open.publish(fakeComponent(), manifestFor('plain', '1.0.0'));

  const pem = trustedPair.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const strict = await Registry.open(dir, { trustedKeys: [pem] });
  const byTrusted = await strict.publish(fakeComponent(), manifestFor('friend', '1.0.0'), { signingKey: trustedPair.privateKey });
  assert.equal((await strict.readBlob(byTrusted)).length, byTrusted.size);

  await rejectsWith(strict.readBlob(byStranger), 'TITAN_E_SIGNATURE_INVALID');
  await rejectsWith(strict.readBlob(unsigned), 'TITAN_E_SIGNATURE_INVALID');
  await rejectsWith(strict.publish(fakeComponent(), manifestFor('more', '1.0.0'), { signingKey: strangerPair.privateKey }), 'TITAN_E_SIGNATURE_INVALID');
  await rejectsWith(strict.publish(fakeComponent(), manifestFor('more', '1.0.0')), 'TITAN_E_SIGNATURE_INVALID');
  assert.deepEqual(await open.list({ name: 'more' }), [], 'a refused publish writes no manifest');

  const report = await strict.verify();
  assert.deepEqual(report.problems.map((p) => [p.ref, p.code]).sort(), [
    ['tool/plain@1.0.0', 'TITAN_E_SIGNATURE_INVALID'],
    ['tool/stranger@1.0.0', 'TITAN_E_SIGNATURE_INVALID'],
  ]);
  // The same files under an open registry: every signature is valid, unsigned is allowed.
  assert.equal((await open.verify()).ok, true);
});

test('publish refuses a signing key that is not an ed25519 private key', async (t) => {
  const registry = await tempRegistry(t);
  const { publicKey } = keyPair();
  await rejectsWith(registry.publish(fakeComponent(), manifestFor('echo', '1.0.0'), { signingKey: publicKey }), 'TITAN_E_USAGE');
});
