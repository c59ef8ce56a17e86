// The kernel log as an operator reads it: where it goes, and that a conversation's words never reach
// it at info (a streamed answer chunk is logged at debug only, with its text replaced by its size).
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Kernel } from './kernel.ts';
import { closeLogger, createLogger, logDestination } from './logger.ts';

let work: string;
before(async () => (work = await mkdtemp(path.join(os.tmpdir(), 'titan-logger-'))));
after(() => rm(work, { recursive: true, force: true }));

/** Every line the home's rotated log files hold, parsed. */
async function logLines(home: string): Promise<Array<Record<string, unknown>>> {
  const dir = path.join(home, 'logs');
  const files = (await readdir(dir)).filter((name) => name.endsWith('.log'));
  const text = (await Promise.all(files.map((name) => readFile(path.join(dir, name), 'utf8')))).join('');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function kernelLogging(level: 'info' | 'debug') {
  const home = path.join(work, level);
  const kernel = await Kernel.open({ home, cacheDir: path.join(work, 'cache'), env: {}, config: { logLevel: level, logTo: 'file', controlSocket: false } });
  const turn = { threadId: 't1', turnId: 'u1', at: Date.now() };
  kernel.bus.emit('turn.event', { ...turn, seq: 1, type: 'turn.started', userMessageId: 'm1' });
  kernel.bus.emit('turn.event', { ...turn, seq: 2, type: 'text', text: 'the secret answer is 42' });
  kernel.bus.emit('turn.event', { ...turn, seq: 3, type: 'turn.completed', stopReason: 'stop', from: 'model' });
  await kernel.close();
  return logLines(home);
}

test('at info, a turn is logged by its steps and never by its words', async () => {
  const lines = await kernelLogging('info');
  const turnLines = lines.filter((line) => line.event === 'turn.event');
  assert.deepEqual(
    turnLines.map((line) => line.type),
    ['turn.started', 'turn.completed'],
  );
  assert.ok(!JSON.stringify(lines).includes('secret answer'), 'no answer text in the log');
});

test('at debug, a streamed chunk is logged with its text replaced by its size', async () => {
  const lines = await kernelLogging('debug');
  const chunk = lines.find((line) => line.type === 'text');
  assert.ok(chunk, 'the chunk is logged at debug');
  assert.equal(chunk.level, 20);
  assert.equal(chunk.text, '[redacted: 23 chars]');
  assert.ok(!JSON.stringify(lines).includes('secret answer'));
});

test('"auto" logs to stdout for a server whose stdout is not a terminal, to the file otherwise', () => {
  const base = { logsDir: work, level: 'info' as const, target: 'auto' as const };
  assert.equal(logDestination({ ...base, server: true, stdoutIsTerminal: false }), 'stdout');
  assert.equal(logDestination({ ...base, server: true, stdoutIsTerminal: true }), 'file');
  assert.equal(logDestination({ ...base, server: false, stdoutIsTerminal: false }), 'file', 'a one-shot command keeps stdout for its answer');
  assert.equal(logDestination({ ...base, target: 'file', server: true, stdoutIsTerminal: false }), 'file');
});

test('the log file is rotated by size: titan.log is the newest, titan.1.log ... titan.5.log the older ones', async () => {
  const logsDir = path.join(work, 'rotated');
  const logger = await createLogger({ logsDir, level: 'info', target: 'file', server: false, rotateAt: '1K' });
  for (let i = 0; i < 400; i++) logger.info({ n: i }, 'a line long enough to fill a kilobyte in a few dozen lines');
  await closeLogger(logger);
  const names = (await readdir(logsDir)).sort();
  assert.deepEqual(
    names,
    ['titan.1.log', 'titan.2.log', 'titan.3.log', 'titan.4.log', 'titan.5.log', 'titan.log'],
    'five rotated files kept, the rest dropped',
  );
  const newest = (await readFile(path.join(logsDir, 'titan.log'), 'utf8')).trim().split('\n');
  assert.equal((JSON.parse(newest.at(-1) ?? '{}') as { n?: number }).n, 399, 'the last line is in the current file');
  logger.info('after close');
});
