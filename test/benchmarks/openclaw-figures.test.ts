// Titan's start and turn benchmarks compare with OpenClaw as measured in the same `npm run bench`
// run, and say "earlier session" whenever that figure is missing, failed or from another run.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { growthLine, openClawFigures } from '../../benchmarks/openclaw-figures.ts';

const measured = {
  measured: true,
  run: 'run-1',
  version: '2026.9.6',
  loadAverage: [3.2, 4.1],
  readyMs: 41_000,
  rssIdleMb: 950,
  rssAfterTurnsMb: 1_290,
  turnsSent: 34,
  turn: { p50: 640, p99: 2_100, n: 30 },
};

test('the figures measured in this run are used and labelled as measured now', async (t) => {
  const file = await resultFile(t, measured);
  const figures = openClawFigures(file, 'run-1');
  assert.equal(figures.measuredNow, true);
  assert.match(figures.label, /2026\.9\.6, measured now \(load 3\.2 -> 4\.1\)/);
  assert.deepEqual([figures.readyMs, figures.rssIdleMb, figures.turnP50Ms, figures.turnP99Ms], [41_000, 950, 640, 2_100]);
  assert.match(growthLine(figures), /measured now .*: RSS 950 MB idle -> 1,290 MB after 34 turns \(\+10\.0 MB per turn\)$/);
});

test('a result from another run, a failed measurement or none at all falls back to the earlier session', async (t) => {
  const other = openClawFigures(await resultFile(t, measured), 'run-2');
  const alone = openClawFigures(await resultFile(t, measured), undefined);
  const failed = openClawFigures(await resultFile(t, { measured: false, run: 'run-1', reason: 'not ready within 300 s' }), 'run-1');
  const missing = openClawFigures(path.join(os.tmpdir(), 'titan-no-such-openclaw-result.json'), 'run-1');
  for (const figures of [other, alone, failed, missing]) {
    assert.equal(figures.measuredNow, false);
    assert.match(figures.label, /earlier session/);
    assert.deepEqual([figures.readyMs, figures.rssIdleMb, figures.turnP50Ms], [30_000, 1_073, 419]);
    assert.match(growthLine(figures), /earlier session: RSS 1,009 MB idle -> 1,310 MB after 33 turns/);
  }
});

async function resultFile(t: { after(fn: () => Promise<void>): void }, result: object): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-openclaw-figures-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'openclaw.json');
  await writeFile(file, JSON.stringify(result));
  return file;
}
