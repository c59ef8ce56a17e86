// Checkpoints run on their own thread, never inside a commit: the serving connections have
// automatic checkpoints off, the WAL stays bounded under writes that never stop, and a process
// killed in the middle of them loses no acknowledged write and leaves a clean file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { CheckpointReport } from './checkpointer.ts';
import { openLibsql } from './libsql-backend.ts';

const ROW = 'x'.repeat(2000);

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'titan-checkpoint-'));
}

const walSize = (file: string) => {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
};

/** Checkpointer threads running in this process, by the name they carry (as top -H shows them). */
const checkpointThreads = () =>
  readdirSync('/proc/self/task').filter((task) => {
    try {
      return readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim() === 'titan-checkpoin';
    } catch {
      return false; // the thread ended meanwhile
    }
  }).length;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a few writes (a start, an idle Titan) start no thread; a WAL filled to its start size does, and a quiet spell ends it with the WAL emptied', {
  skip: !existsSync('/proc/self/task') && 'threads are counted in /proc',
}, async () => {
  const dir = await tempDir();
  const file = path.join(dir, 'titan.db');
  const reports: CheckpointReport[] = [];
  const db = await openLibsql(file, { everyMs: 20, idleMs: 300, startBytes: 256 * 1024, onReport: (r) => reports.push(r) });
  try {
    await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)', []);
    for (let i = 0; i < 20; i++) await db.run('INSERT INTO t (body) VALUES (?)', [ROW]);
    await wait(200);
    assert.ok(walSize(file) < 256 * 1024, `the WAL holds ${walSize(file)} bytes`);
    assert.equal(checkpointThreads(), 0, 'a few writes started the thread');
    let rows = 20;
    while (checkpointThreads() === 0 && rows < 1000) {
      await db.run('INSERT INTO t (body) VALUES (?)', [ROW]);
      rows++;
    }
    assert.equal(checkpointThreads(), 1, `${rows} rows (${walSize(file)} bytes of WAL) started no thread`);
    for (let i = 0; i < 100 && !reports.some((r) => r.copied > 0); i++) await wait(20);
    assert.ok(
      reports.some((r) => r.copied > 0),
      'the thread copied pages into the database',
    );
    for (let i = 0; i < 100 && checkpointThreads() > 0; i++) await wait(50);
    assert.equal(checkpointThreads(), 0, 'the thread still runs after a quiet spell');
    assert.equal(walSize(file), 0, 'the thread left the WAL as it was when it ended');
    assert.equal((await db.run('SELECT count(*) FROM t', [])).rows[0][0], rows);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('writes that never pause keep the WAL bounded, checkpointed by the thread and not by any commit', async () => {
  const dir = await tempDir();
  const file = path.join(dir, 'titan.db');
  const reports: CheckpointReport[] = [];
  const limit = 1024 * 1024;
  const db = await openLibsql(file, { everyMs: 10, startBytes: 0, walLimitBytes: limit, onReport: (r) => reports.push(r) });
  try {
    assert.deepEqual((await db.run('PRAGMA wal_autocheckpoint', [])).rows, [[0]]);
    const tx = await db.begin();
    assert.deepEqual((await tx.run('PRAGMA wal_autocheckpoint', [])).rows, [[0]]);
    await tx.rollback();
    await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)', []);
    // The first write started the thread; once it reports, it is running.
    while (reports.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // About 80 MB through the WAL (a page or two a row: 80 times its limit) in small commits, no pause between them.
    let largest = 0;
    const started = Date.now();
    for (let i = 0; i < 10_000; i++) {
      await db.batch([{ sql: 'INSERT INTO t (body) VALUES (?)', params: [ROW] }]);
      if (i % 100 === 0) largest = Math.max(largest, walSize(file));
      // As a server would, between requests (the thread's reports come in then).
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(largest <= 4 * limit, `the WAL grew to ${largest} bytes in ${Date.now() - started} ms (limit ${limit})`);
    assert.ok(
      reports.some((r) => r.copied > 0),
      'the thread copied pages into the database',
    );
    assert.ok(statSync(file).size > 10_000 * 2000, 'the rows reached the database file itself');
    assert.equal((await db.run('SELECT count(*) FROM t', [])).rows[0][0], 10_000);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a process killed while it writes: every acknowledged row is there after a restart, the file intact', async () => {
  const dir = await tempDir();
  const file = path.join(dir, 'titan.db');
  const backend = new URL('./libsql-backend.ts', import.meta.url).href;
  // The writer: a row per commit, acknowledged on stdout once its commit returned.
  const writer = `
    const { openLibsql } = await import(${JSON.stringify(backend)});
    const db = await openLibsql(${JSON.stringify(file)}, { everyMs: 5, startBytes: 0, walLimitBytes: 1024 * 1024 });
    await db.run('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)', []);
    // Bounded, should the test that kills it die first.
    for (let i = 1; i <= 200000; i++) {
      await db.run('INSERT INTO t (id, body) VALUES (?, ?)', [i, ${JSON.stringify(ROW)}]);
      process.stdout.write(i + '\\n');
      await new Promise((resolve) => setImmediate(resolve));
    }`;
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', writer], { stdio: ['ignore', 'pipe', 'pipe'] });
  let acked = 0;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const lines = chunk.toString().trim().split('\n');
        acked = Math.max(acked, Number(lines.at(-1)));
        // Past a few WAL limits, so the thread has checkpointed (and truncated) under it.
        if (acked >= 3000) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`the writer ended on its own: ${stderr}`)));
    });
    await new Promise((resolve) => child.once('close', resolve));
    const db = await openLibsql(file);
    try {
      assert.deepEqual((await db.run('PRAGMA integrity_check', [])).rows, [['ok']]);
      const [[count, highest]] = (await db.run('SELECT count(*), max(id) FROM t', [])).rows as number[][];
      assert.ok(highest >= acked, `row ${acked} was acknowledged, the highest stored is ${highest}`);
      assert.equal(count, highest, 'no row is missing below the highest');
    } finally {
      await db.close();
    }
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

test('a write after a quiet spell (the thread has ended by then) is checkpointed by a new one', async () => {
  const dir = await tempDir();
  const reports: CheckpointReport[] = [];
  const db = await openLibsql(path.join(dir, 'titan.db'), { everyMs: 20, idleMs: 200, startBytes: 0, onReport: (r) => reports.push(r) });
  try {
    await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)', []);
    for (let i = 0; i < 500 && reports.length === 0; i++) await wait(20);
    assert.ok(reports.length > 0, 'the first write started the thread');
    await wait(1000); // quiet: the thread has ended
    const before = reports.length;
    // The serving side looks at the WAL every 16 writes.
    for (let i = 0; i < 16; i++) await db.run('INSERT INTO t (body) VALUES (?)', [ROW]);
    for (let i = 0; i < 500 && reports.length === before; i++) await wait(20);
    assert.ok(reports.length > before, 'a write after the quiet spell was checkpointed');
    assert.equal(reports.at(-1)?.copied, reports.at(-1)?.log);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});
