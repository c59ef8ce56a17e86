import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { isTitanError } from './errors.ts';
import { SecretStore } from './secret-store.ts';

async function home(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-secrets-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('values are stored encrypted, owner-only, and read back by a new store', async (t) => {
  const dir = await home(t);
  const store = await SecretStore.open(dir);
  assert.deepEqual(store.list(), []);
  await store.set('BRAVE_API_KEY', 'BSA-plain-value-123');
  await store.set('OTHER', 'ünïcode ✓');
  const onDisk = await readFile(path.join(dir, 'secrets.enc'), 'utf8');
  assert.ok(!onDisk.includes('BSA-plain-value-123'), 'the value is not on disk in the clear');
  assert.ok(onDisk.includes('BRAVE_API_KEY'), 'names are not secret');
  for (const file of ['secrets.enc', 'secrets.key']) assert.equal((await stat(path.join(dir, file))).mode & 0o777, 0o600, file);

  const again = await SecretStore.open(dir);
  assert.deepEqual(
    again.list().map((s) => s.name),
    ['BRAVE_API_KEY', 'OTHER'],
  );
  assert.equal(await again.value('OTHER'), 'ünïcode ✓');
  assert.equal(await again.value('NOPE'), undefined);
  assert.equal(await again.remove('OTHER'), true);
  assert.equal(await again.remove('OTHER'), false);
  // The first store sees the other's change when it next reads.
  assert.equal(await store.value('OTHER'), undefined);
  assert.deepEqual(store.values(), ['BSA-plain-value-123']);
});

test('a key file others may read, a value moved to another name, or a bad name are refused', async (t) => {
  const dir = await home(t);
  const store = await SecretStore.open(dir);
  await store.set('A', 'alpha');
  await store.set('B', 'beta');
  await assert.rejects(store.set('1bad', 'x'), (e) => isTitanError(e, 'TITAN_E_SECRET_NAME'));
  await assert.rejects(store.set('A', ''), (e) => isTitanError(e, 'TITAN_E_INVALID_REQUEST'));

  // Swapping the sealed values of two names breaks authentication: each is bound to its name.
  const file = path.join(dir, 'secrets.enc');
  const parsed = JSON.parse(await readFile(file, 'utf8'));
  [parsed.secrets.A, parsed.secrets.B] = [parsed.secrets.B, parsed.secrets.A];
  await writeFile(file, JSON.stringify(parsed), { mode: 0o600 });
  await assert.rejects(SecretStore.open(dir), (e) => isTitanError(e, 'TITAN_E_SECRETS_UNREADABLE'));

  await chmod(path.join(dir, 'secrets.key'), 0o644);
  await store.remove('A').catch(() => {});
  await assert.rejects(store.set('C', 'x'), (e) => isTitanError(e, 'TITAN_E_SECRETS_UNREADABLE') && /chmod 600/.test(e.fix ?? ''));
});
