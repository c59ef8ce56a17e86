// `titan security audit` on real TITAN_HOMEs: readable token and key files, a gateway beyond
// loopback, a secret in config.json or the environment, and a serving component that is unsigned
// and may reach any host are each named with the fix; --fix only tightens file modes.
import assert from 'node:assert/strict';
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Registry } from '../../registry/registry.ts';
import { runTitan } from '../support/cli.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';

type Finding = { check: string; status: string; message: string; fix?: string; repaired?: string };
type Report = { ok: boolean; findings: Finding[] };

async function audit(home: string, env: NodeJS.ProcessEnv = {}, ...flags: string[]): Promise<{ code: number | null; report: Report }> {
  const result = await runTitan(['security', 'audit', '--json', ...flags], home, { env: { OPENAI_API_KEY: '', ...env } });
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}

const named = (report: Report, text: RegExp) => report.findings.filter((f) => text.test(`${f.check}: ${f.message}`));

test('a home with owner-only files, a loopback gateway and no plaintext secrets passes', async (t) => {
  const { home, cleanup } = await tempHome('titan-audit-');
  t.after(cleanup);
  await chmod(home, 0o700);
  await writeFile(path.join(home, 'gateway-token'), 'owner-token-value\n', { mode: 0o600 });
  const { report } = await audit(home);
  assert.deepEqual(
    report.findings.filter((f) => f.status === 'fail'),
    [],
  );
  assert.equal(named(report, /^gateway: bound to 127\.0\.0\.1/)[0]?.status, 'ok');
  assert.equal(named(report, /^file mode/)[0]?.status, 'ok');
  assert.deepEqual(named(report, /secrets in config|OPENAI_API_KEY/), []);
});

test('readable keys, an exposed gateway and plaintext secrets fail; --fix tightens the modes and changes nothing else', async (t) => {
  const { home, cleanup } = await tempHome('titan-audit-');
  t.after(cleanup);
  await chmod(home, 0o755);
  await writeFile(path.join(home, 'gateway-token'), 'owner-token-value\n', { mode: 0o644 });
  await chmod(path.join(home, 'gateway-token'), 0o644);
  const config = JSON.stringify({ kernel: { dbUrl: 'postgres://titan:hunter22@127.0.0.1/titan' } });
  await writeFile(path.join(home, 'config.json'), config, { mode: 0o600 });
  const { code, report } = await audit(home, { TITAN_HOST: '0.0.0.0', OPENAI_API_KEY: 'sk-proj-abcdefghijklmnopqrstuvwx' });
  assert.equal(code, 1);
  const token = named(report, /gateway-token is readable by every user/)[0];
  assert.equal(token?.status, 'fail');
  assert.equal(token.fix, `chmod 600 ${path.join(home, 'gateway-token')}`);
  assert.equal(named(report, /can be listed by other users/)[0]?.status, 'warn');
  const gateway = named(report, /^gateway: bound to 0\.0\.0\.0:\d+ without TLS/)[0];
  assert.equal(gateway?.status, 'fail');
  assert.match(gateway.fix ?? '', /127\.0\.0\.1.*HTTPS reverse proxy/);
  assert.equal(named(report, /plain text at kernel\.dbUrl/)[0]?.status, 'fail');
  const env = named(report, /^secrets in environment: OPENAI_API_KEY/)[0];
  assert.equal(env?.status, 'warn');
  assert.match(env.fix ?? '', /titan secrets set OPENAI_API_KEY/);

  const fixed = await audit(home, { TITAN_HOST: '0.0.0.0' }, '--fix');
  assert.equal((await stat(path.join(home, 'gateway-token'))).mode & 0o777, 0o600);
  assert.equal((await stat(home)).mode & 0o777, 0o700);
  assert.equal(await readFile(path.join(home, 'config.json'), 'utf8'), config, 'the config is reported, never rewritten');
  assert.equal(await readFile(path.join(home, 'gateway-token'), 'utf8'), 'owner-token-value\n');
  assert.equal(named(fixed.report, /^gateway: bound to 0\.0\.0\.0/)[0]?.status, 'fail', 'the gateway is for the owner to move');
});

test('a serving component that is unsigned and may reach any host is named with the fix', async (t) => {
  const { home, cleanup } = await tempHome('titan-audit-');
  t.after(cleanup);
  await chmod(home, 0o700);
  // Any component binary the tests built will do: the audit reads the manifest, never runs it.
  const shard = path.join(TEST_CACHE, 'components', (await readdir(path.join(TEST_CACHE, 'components')))[0]);
  const wasm = await readFile(path.join(shard, (await readdir(shard)).find((f) => f.endsWith('.wasm'))!));
  const registry = await Registry.open(path.join(home, 'registry'));
  const manifest = await registry.publish(wasm, {
    name: 'fetch-all',
    kind: 'tool',
    version: '1.0.0',
    world: 'titan:tool/tool-component@0.1.0',
    description: 'fetches anything',
    capabilities: { http: { allow: [{ host: '*' }] } },
    witPackage: 'titan:tool@0.1.0',
    backend: 'quickjs',
    schema: { type: 'object' },
    imports: ['titan:host/http@0.1.0'],
    sourceDigest: `sha256:${'0'.repeat(64)}`,
  });
  await writeFile(
    path.join(home, 'deployments.json'),
    JSON.stringify({ 'tool/fetch-all': { version: '1.0.0', digest: manifest.digest, history: [], at: new Date().toISOString() } }),
  );
  const { report } = await audit(home);
  const broad = named(report, /^capabilities tool\/fetch-all@1\.0\.0: granted http to any host/)[0];
  assert.equal(broad?.status, 'warn');
  assert.match(broad.fix ?? '', /titan kernel rollback tool\/fetch-all/);
  const unsigned = named(report, /^signature tool\/fetch-all@1\.0\.0: serving unsigned/)[0];
  assert.equal(unsigned?.status, 'warn');
  assert.match(unsigned.fix ?? '', /--sign/);
});

test('a home the kernel creates passes the file-mode audit as it is: the folder and the database are owner-only', async (t) => {
  const { home: parent, cleanup } = await tempHome('titan-audit-');
  t.after(cleanup);
  const home = path.join(parent, 'fresh');
  const { Kernel } = await import('../../kernel/api.ts');
  const kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  await kernel.close();
  assert.equal((await stat(home)).mode & 0o777, 0o700);
  assert.equal((await stat(path.join(home, 'titan.db'))).mode & 0o777, 0o600);
  const { report } = await audit(home);
  assert.deepEqual(
    named(report, /^file mode/).map((f) => f.status),
    ['ok'],
  );
});
