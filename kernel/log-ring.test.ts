// The log ring behind the Logs page: it keeps the newest lines within its line and byte bounds,
// filters by level and above, words and source, resumes after a position, and calls followers
// with each new line until they unsubscribe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { LogRing } from './log-ring.ts';

const line = (level: number, msg: string, extra: Record<string, unknown> = {}) => `${JSON.stringify({ level, time: 1, msg, ...extra })}\n`;

test('the newest lines are kept within the bounds, however many are written', () => {
  const ring = new LogRing(100, 1_000_000);
  for (let i = 0; i < 10_000; i++) ring.write(line(30, `line ${i}`));
  const kept = ring.read({}, 1000);
  assert.equal(kept.length, 100);
  assert.equal(kept[0].msg, 'line 9900');
  assert.equal(kept[99].seq, 10_000);

  const small = new LogRing(1000, 2_000);
  for (let i = 0; i < 500; i++) small.write(line(30, 'x'.repeat(100)));
  const bytes = small.read({}, 1000).reduce((sum, l) => sum + l.raw.length, 0);
  assert.ok(bytes <= 2_000 && bytes > 1_500, `${bytes} bytes kept`);
});

test('filters: level and above, words anywhere in the line, source, and after a position', () => {
  const ring = new LogRing();
  ring.write(line(20, 'cache warmed', { component: 'tool/clock' }));
  ring.write(line(30, 'gateway on 127.0.0.1'));
  ring.write(line(40, 'telegram polling failed', { channel: 'telegram' }));
  ring.write(line(50, 'a routine write failed', { err: { message: 'disk full' } }));
  ring.write('not json at all\n');
  assert.deepEqual(
    ring.read({ level: 'warn' }).map((l) => l.msg),
    ['telegram polling failed', 'a routine write failed'],
  );
  assert.deepEqual(
    ring.read({ text: 'DISK' }).map((l) => l.msg),
    ['a routine write failed'],
  );
  assert.deepEqual(
    ring.read({ source: 'telegram' }).map((l) => l.level),
    ['warn'],
  );
  assert.deepEqual(
    ring.read({ after: 3 }).map((l) => l.msg),
    ['a routine write failed', 'not json at all'],
  );
  assert.deepEqual(ring.sources(), ['telegram', 'tool/clock']);
});

test('followers get each new line, also from a real pino logger, until they stop following', () => {
  const ring = new LogRing();
  const seen: string[] = [];
  const stop = ring.follow((l) => seen.push(`${l.level}:${l.msg}`));
  const logger = pino({ level: 'info' }, ring);
  logger.info({ component: 'store/core' }, 'deployed');
  logger.debug('not at this level');
  logger.error('failed');
  stop();
  logger.info('after the follower left');
  assert.deepEqual(seen, ['info:deployed', 'error:failed']);
  assert.equal(ring.read({ source: 'store/core' })[0].msg, 'deployed');
});
