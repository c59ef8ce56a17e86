// `titan doctor` on real TITAN_HOMEs: each broken thing (a wrong Node, an unwritable state
// directory, a port in use, a config typo, an unreachable provider or database, a channel without
// its webhook secret, a mesh port taken) is named with its fix; --fix does only the safe ones and
// never deletes data.
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { runTitan } from '../support/cli.ts';
import { tempHome } from '../support/kernel.ts';

type Finding = { check: string; status: string; message: string; fix?: string; repaired?: string; fixable?: boolean };
type Report = { ok: boolean; failed: number; findings: Finding[] };

async function doctor(home: string, env: NodeJS.ProcessEnv = {}, ...flags: string[]): Promise<{ code: number | null; report: Report }> {
  // No provider, channel or mesh from the test's own environment.
  const clean = { TITAN_PROVIDER: '', TITAN_TELEGRAM_BOT_TOKEN: '', TITAN_SLACK_BOT_TOKEN: '', TITAN_MESH: '', ...env };
  const result = await runTitan(['doctor', '--json', ...flags], home, { env: clean });
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}

const find = (report: Report, check: string) =>
  report.findings.find((f) => f.check === check) ?? assert.fail(`no ${check} finding in ${JSON.stringify(report.findings)}`);

async function home(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const { home: dir, cleanup } = await tempHome('titan-doctor-');
  t.after(cleanup);
  await chmod(dir, 0o700);
  return dir;
}

function listen(server: Server | http.Server, port = 0): Promise<number> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

test('a healthy home: nothing fails, the provider answers, exit 0', async (t) => {
  const dir = await home(t);
  const provider = http.createServer((req, res) => res.writeHead(req.url === '/v1/models' ? 200 : 404).end('{"data":[]}'));
  const port = await listen(provider);
  t.after(() => provider.close());
  const { code, report } = await doctor(dir, { TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: `http://127.0.0.1:${port}` });
  assert.equal(code, 0, JSON.stringify(report.findings, null, 2));
  assert.equal(report.failed, 0);
  for (const check of ['node', 'state directory', 'config', 'disk space', 'gateway port', 'registry', 'channels', 'mesh'])
    assert.equal(find(report, check).status, 'ok', check);
  assert.equal(find(report, 'provider scripted').status, 'ok');
  // Nothing was created by looking: no database file appears.
  await assert.rejects(stat(path.join(dir, 'titan.db')));
});

test("started by an older Node, titan runs on the project's Node 24 and doctor says which Node it checked", async (t) => {
  const dir = await home(t);
  const result = await runTitan(['doctor', '--json'], dir, { node: '/usr/bin/node', env: { TITAN_PROVIDER: '' } });
  const node = find(JSON.parse(result.stdout) as Report, 'node');
  assert.equal(node.status, 'ok');
  assert.match(node.message, /^Node 24\./);
});

test('an unwritable state directory fails with its fix; --fix makes it writable and keeps every file', async (t) => {
  const dir = await home(t);
  await writeFile(path.join(dir, 'notes.txt'), 'keep me');
  await chmod(dir, 0o500);
  const broken = await doctor(dir);
  assert.equal(broken.code, 1);
  const finding = find(broken.report, 'state directory');
  assert.equal(finding.status, 'fail');
  assert.match(finding.message, /is not writable \(mode 500\)/);
  assert.match(finding.fix ?? '', /chmod u\+w/);
  const fixed = await doctor(dir, {}, '--fix');
  assert.match(find(fixed.report, 'state directory').repaired ?? '', /chmod u\+rwx/);
  assert.equal((await stat(dir)).mode & 0o700, 0o700);
  assert.equal(await readFile(path.join(dir, 'notes.txt'), 'utf8'), 'keep me');
  assert.equal(find((await doctor(dir)).report, 'state directory').status, 'ok');
});

test('a state directory others may write is a warning that --fix tightens', async (t) => {
  const dir = await home(t);
  await chmod(dir, 0o777);
  const finding = find((await doctor(dir)).report, 'state directory');
  assert.equal(finding.status, 'warn');
  assert.match(finding.message, /writable by everyone/);
  await doctor(dir, {}, '--fix');
  assert.equal((await stat(dir)).mode & 0o777, 0o755);
});

test('the gateway port in use fails with another port to use', async (t) => {
  const dir = await home(t);
  const taken = createServer();
  const port = await listen(taken);
  t.after(() => taken.close());
  const { code, report } = await doctor(dir, { TITAN_PORT: String(port) });
  assert.equal(code, 1);
  const finding = find(report, 'gateway port');
  assert.equal(finding.status, 'fail');
  assert.match(finding.message, new RegExp(`127\\.0\\.0\\.1:${port} is in use`));
  assert.match(finding.fix ?? '', new RegExp(`TITAN_PORT=${port + 1}`));
});

test('a config typo is named with the sections it could be', async (t) => {
  const dir = await home(t);
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ gatway: { port: 7401 } }));
  const { code, report } = await doctor(dir);
  assert.equal(code, 1);
  const finding = find(report, 'config');
  assert.equal(finding.status, 'fail');
  assert.match(finding.message, /unknown key "gatway"/);
  assert.match(finding.message, /gateway/);
  assert.match(finding.fix ?? '', /config\.json/);
});

test('an unreachable provider and database are failures with the reason', async (t) => {
  const dir = await home(t);
  const closed = createServer();
  const port = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  const { code, report } = await doctor(dir, {
    TITAN_PROVIDER: 'ollama',
    OLLAMA_HOST: `127.0.0.1:${port}`,
    TITAN_DB_URL: `postgres://titan@127.0.0.1:${port}/titan`,
  });
  assert.equal(code, 1);
  const provider = find(report, 'provider ollama');
  assert.equal(provider.status, 'fail');
  assert.match(provider.message, /not reachable: ECONNREFUSED/);
  assert.match(provider.fix ?? '', /ollama serve/);
  const database = find(report, 'database');
  assert.equal(database.status, 'fail');
  assert.match(database.message, /cannot open postgres:\/\/titan@127\.0\.0\.1/);
  assert.match(database.fix ?? '', /PostgreSQL runs/);
});

test('a Telegram webhook without its secret, a mesh port taken and no Docker engine are each named', async (t) => {
  const dir = await home(t);
  const taken = createServer();
  const port = await listen(taken);
  t.after(() => taken.close());
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'config.json'),
    JSON.stringify({ mesh: { listen: [`/ip4/127.0.0.1/tcp/${port}`] }, jobs: { dockerSocket: path.join(dir, 'no-docker.sock') } }),
  );
  const { report } = await doctor(dir, { TITAN_TELEGRAM_BOT_TOKEN: '123:abc', TITAN_MESH: 'true' });
  const telegram = find(report, 'channel telegram');
  assert.equal(telegram.status, 'fail');
  assert.match(telegram.fix ?? '', /TITAN_TELEGRAM_WEBHOOK_SECRET/);
  const mesh = find(report, `mesh listen /ip4/127.0.0.1/tcp/${port}`);
  assert.equal(mesh.status, 'fail');
  assert.match(mesh.message, /in use/);
  const docker = find(report, 'docker');
  assert.equal(docker.status, 'warn');
  assert.match(docker.message, /no Docker engine answers .*ENOENT/);
});
