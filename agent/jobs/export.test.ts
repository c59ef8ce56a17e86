// A job's files as tar: a whole archive that tar reads back, flat memory on a large folder, and a
// stalled reader ended by the watchdog with TITAN_E_JOB_EXPORT_STALLED.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import tar from 'tar-stream';
import { isTitanError } from '../../common/errors.ts';
import { exportFolder } from './export.ts';

async function folder(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-export-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the archive holds every file, folder and link as they are', async (t) => {
  const root = await folder(t);
  await mkdir(path.join(root, 'out/deep'), { recursive: true });
  await writeFile(path.join(root, 'out/deep/result.txt'), 'made\n');
  await writeFile(path.join(root, 'empty'), '');
  await symlink('out/deep/result.txt', path.join(root, 'link'));
  const buffer = new PassThrough();
  const extract = tar.extract();
  const seen: Record<string, string> = {};
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      seen[header.name] = header.type === 'symlink' ? `-> ${header.linkname}` : header.type === 'directory' ? '/' : Buffer.concat(chunks).toString();
      next();
    });
  });
  const finished = new Promise<void>((resolve) => extract.on('finish', () => resolve()));
  buffer.pipe(extract);
  const result = await exportFolder(root, buffer, { stallMs: 5000 });
  await finished;
  assert.deepEqual(seen, { out: '/', 'out/deep': '/', 'out/deep/result.txt': 'made\n', empty: '', link: '-> out/deep/result.txt' });
  assert.equal(result.files, 2);
  assert.equal(result.bytes % 512, 0);
});

test('a large folder streams in bounded memory', async (t) => {
  const root = await folder(t);
  // Sparse files: 384 MB to read, no disk used.
  await writeFile(path.join(root, 'big.bin'), '');
  await truncate(path.join(root, 'big.bin'), 256 * 1024 * 1024);
  await mkdir(path.join(root, 'many'));
  for (let i = 0; i < 128; i++) {
    await writeFile(path.join(root, 'many', `f${i}`), '');
    await truncate(path.join(root, 'many', `f${i}`), 1024 * 1024);
  }
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  let received = 0;
  // A reader slower than the disk: backpressure, not buffering, must hold the rest back.
  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      setImmediate(done);
    },
  });
  const result = await exportFolder(root, sink, { stallMs: 10_000 });
  clearInterval(sample);
  assert.equal(result.files, 129);
  assert.ok(received > 384 * 1024 * 1024, `received ${received}`);
  const grew = (peak - base) / 1024 / 1024;
  assert.ok(grew < 96, `RSS grew ${grew.toFixed(0)} MB while 384 MB passed`);
});

test('a reader that stops reading is ended by the watchdog with TITAN_E_JOB_EXPORT_STALLED', async (t) => {
  const root = await folder(t);
  await writeFile(path.join(root, 'big.bin'), '');
  await truncate(path.join(root, 'big.bin'), 64 * 1024 * 1024);
  const stuck = new Writable({ highWaterMark: 16 * 1024, write() {} }); // never calls back
  const started = Date.now();
  await assert.rejects(exportFolder(root, stuck, { stallMs: 300 }), (error) => isTitanError(error, 'TITAN_E_JOB_EXPORT_STALLED'));
  assert.ok(Date.now() - started < 5000);
  assert.ok(stuck.destroyed, 'the stream to the reader was ended');
});

test('a reader that goes away mid-stream is TITAN_E_JOB_EXPORT_CUT', async (t) => {
  const root = await folder(t);
  await writeFile(path.join(root, 'big.bin'), '');
  await truncate(path.join(root, 'big.bin'), 64 * 1024 * 1024);
  let seen = 0;
  const leaving = new Writable({
    write(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > 1024 * 1024) return done(new Error('socket closed'));
      done();
    },
  });
  await assert.rejects(exportFolder(root, leaving, { stallMs: 5000 }), (error) => isTitanError(error, 'TITAN_E_JOB_EXPORT_CUT'));
});
