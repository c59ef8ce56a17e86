// The engine's start-time calls on a stand-in Docker socket: the label filter reaches the engine as
// its API expects, a refusal is TITAN_E_DOCKER_UNAVAILABLE, and neither loads dockerode (whose ssh2
// brings a 16 MB WebAssembly heap into every Titan that runs no job).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isTitanError } from '../../common/errors.ts';
import { Engine } from './engine.ts';

/** A Docker socket answering /_ping and /containers/json (or `status` for every request), recording what it was asked. */
async function fakeEngine(t: { after(fn: () => Promise<void>): void }, status = 200) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-engine-'));
  const socket = path.join(dir, 'docker.sock');
  const asked: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    asked.push(req.url ?? '');
    res.statusCode = status;
    if (status !== 200) return res.end('{"message":"refused"}');
    if (req.url === '/_ping') return res.end('OK');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify([{ Id: 'c1', Labels: { 'titan.home': 'abc', 'titan.job': 'j1' } }]));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  return { socket, asked };
}

const dockerodeLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes(`${path.sep}dockerode${path.sep}`));

test('a start pings the engine and lists its containers by label without loading dockerode', async (t) => {
  const { socket, asked } = await fakeEngine(t);
  const engine = new Engine(socket);
  assert.equal(await engine.available(), true);
  const containers = await engine.containers(['titan.home=abc']);
  assert.deepEqual(containers, [{ Id: 'c1', Labels: { 'titan.home': 'abc', 'titan.job': 'j1' } }]);
  const listed = new URL(asked[1] ?? '', 'http://engine');
  assert.equal(listed.pathname, '/containers/json');
  assert.equal(listed.searchParams.get('all'), '1');
  assert.deepEqual(JSON.parse(listed.searchParams.get('filters') ?? ''), { label: ['titan.home=abc'] });
  assert.equal(dockerodeLoaded(), false);
});

test('an engine that refuses the listing gives TITAN_E_DOCKER_UNAVAILABLE, as does no engine at all', async (t) => {
  const { socket } = await fakeEngine(t, 500);
  await assert.rejects(new Engine(socket).containers(['titan.home=abc']), (error) => isTitanError(error, 'TITAN_E_DOCKER_UNAVAILABLE'));
  await assert.rejects(new Engine(path.join(path.dirname(socket), 'absent.sock')).containers([]), (error) => isTitanError(error, 'TITAN_E_DOCKER_UNAVAILABLE'));
});
