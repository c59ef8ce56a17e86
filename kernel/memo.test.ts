// The memo in front of a pure tool's version: a repeated input is answered from memory, only
// invoke and only answers (never errors) are kept, the least recently used goes first, and a
// version not declared pure is never wrapped whatever its manifest asks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PublishedManifest } from '../registry/manifest.ts';
import type { Deployment } from './deployment.ts';
import { MemoDeployment, withMemo } from './memo.ts';

function counting(manifest: Partial<PublishedManifest>): Deployment & { runs: string[] } {
  const runs: string[] = [];
  return {
    runs,
    manifest: { name: 'fib', kind: 'tool', version: '1.0.1-opt.1', ...manifest } as PublishedManifest,
    isolation: 'worker',
    async call(fn, args) {
      runs.push(`${fn}(${String(args[0])})`);
      if (args[0] === 'bad') throw new Error('refused');
      return `answer to ${String(args[0])}`;
    },
    exports: async () => true,
    warm: async () => {},
    close: async () => {},
    stats: () => ({ live: 0, idle: 0, busy: 0, waiting: 0, created: 0, discarded: 0, max: 0 }),
  };
}

test('repeated inputs are answered from memory; errors and other functions always run; the oldest unused goes first', async () => {
  const inner = counting({ pure: true, memo: { entries: 2 } });
  const memo = withMemo(inner);
  assert.ok(memo instanceof MemoDeployment);
  for (const input of ['a', 'b', 'a', 'a', 'c', 'b', 'a']) assert.equal(await memo.call('invoke', [input]), `answer to ${input}`);
  // a, b run; a twice from memory; c evicts b (a was used last); b runs again and evicts a; a runs again.
  assert.deepEqual(inner.runs, ['invoke(a)', 'invoke(b)', 'invoke(c)', 'invoke(b)', 'invoke(a)']);
  assert.deepEqual([memo.hits, memo.misses], [2, 5]);
  await assert.rejects(memo.call('invoke', ['bad']));
  await assert.rejects(memo.call('invoke', ['bad']));
  await memo.call('describe', []);
  await memo.call('describe', []);
  assert.deepEqual(inner.runs.slice(5), ['invoke(bad)', 'invoke(bad)', 'describe(undefined)', 'describe(undefined)']);
});

test('only a version declared pure with a memo size is wrapped', () => {
  for (const manifest of [{}, { pure: true }, { memo: { entries: 8 } }, { pure: false, memo: { entries: 8 } }]) {
    const inner = counting(manifest);
    assert.equal(withMemo(inner), inner, JSON.stringify(manifest));
  }
});
