// The control socket as `titan start` claims it: owner-only, one per home, and requests that come
// before the routes are ready wait for them (or are told the kernel stopped).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { claimControlSocket, isServing } from './control-socket.ts';

function get(socketPath: string, route: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath, path: route, agent: false }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}

async function tempSocket(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-control-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, 'run', 'kernel.sock');
}

test("the socket is the owner's alone, a second claim on it is refused, and a request made early waits for the routes", async (t) => {
  const socketPath = await tempSocket(t);
  const control = await claimControlSocket(socketPath);
  t.after(() => control.close());
  assert.equal((await stat(socketPath)).mode & 0o777, 0o600);
  assert.equal((await stat(path.dirname(socketPath))).mode & 0o777, 0o700);
  await assert.rejects(claimControlSocket(socketPath), { code: 'TITAN_E_USAGE', message: /a kernel is already running on/ });

  const early = get(socketPath, '/api/health');
  await new Promise((resolve) => setTimeout(resolve, 50));
  control.serve((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  assert.deepEqual(await early, { status: 200, body: { ok: true } });
  await control.close();
  assert.equal(existsSync(socketPath), false, 'the socket file goes with it');
  assert.equal(await isServing(socketPath), false);
});

test('a kernel that stops before its routes run answers the requests that waited with a coded error; a stale socket file is reclaimed', async (t) => {
  const socketPath = await tempSocket(t);
  const first = await claimControlSocket(socketPath);
  const waiting = get(socketPath, '/api/components');
  await new Promise((resolve) => setTimeout(resolve, 50));
  await first.close();
  const answer = await waiting;
  assert.equal(answer.status, 503);
  assert.equal((answer.body as { error: { code: string } }).error.code, 'TITAN_E_SHUTTING_DOWN');

  // A kernel killed with SIGKILL leaves its socket file behind, answering nothing: the next start takes it over.
  await writeFile(socketPath, '');
  const again = await claimControlSocket(socketPath);
  assert.equal(await isServing(socketPath), true);
  await again.close();
});
