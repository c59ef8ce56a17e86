// `titan job export`'s download: a whole archive lands under its name; a stream cut mid-way, or one
// that ends without its end-of-archive, is TITAN_E_JOB_EXPORT_CUT and leaves no file behind.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import tar from 'tar-stream';
import { isTitanError } from '../common/errors.ts';
import { downloadTar } from './job-stream.ts';

async function archive(): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: 'a.txt' }, 'x'.repeat(200_000));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function serve(t: { after(fn: () => Promise<void>): void }, handler: http.RequestListener): Promise<{ socketPath: string; dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-dl-'));
  const socketPath = path.join(dir, 's.sock');
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  return { socketPath, dir };
}

test('a whole archive is written under its name', async (t) => {
  const tarball = await archive();
  const { socketPath, dir } = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-tar' });
    res.end(tarball);
  });
  const file = path.join(dir, 'out.tar');
  assert.deepEqual(await downloadTar({ socketPath }, '/x', file), { bytes: tarball.length });
  assert.deepEqual(await readFile(file), tarball);
});

test('a stream cut mid-way is TITAN_E_JOB_EXPORT_CUT and leaves no file', async (t) => {
  const tarball = await archive();
  const { socketPath, dir } = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-tar' });
    res.write(tarball.subarray(0, 100_000), () => res.destroy());
  });
  const file = path.join(dir, 'out.tar');
  await assert.rejects(downloadTar({ socketPath }, '/x', file), (error) => isTitanError(error, 'TITAN_E_JOB_EXPORT_CUT'));
  assert.equal(existsSync(file), false);
  assert.equal(existsSync(`${file}.part`), false);
});

test('a stream that ends cleanly but without its end-of-archive is cut too', async (t) => {
  const tarball = await archive();
  const { socketPath, dir } = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-tar' });
    res.end(tarball.subarray(0, tarball.length - 1024));
  });
  const file = path.join(dir, 'out.tar');
  await assert.rejects(downloadTar({ socketPath }, '/x', file), (error) => isTitanError(error, 'TITAN_E_JOB_EXPORT_CUT'));
  assert.equal(existsSync(file), false);
});

test('a coded error answer comes back as its code', async (t) => {
  const { socketPath, dir } = await serve(t, (_req, res) => {
    res.writeHead(409, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'TITAN_E_JOB_STATE', message: 'job x is running' } }));
  });
  await assert.rejects(downloadTar({ socketPath }, '/x', path.join(dir, 'o.tar')), (error) => isTitanError(error, 'TITAN_E_JOB_STATE'));
});
