// A heap peak given back: after a burst of short-lived objects, the pages V8 keeps for them are
// released once they pass the threshold, and a check with nothing new pooled collects nothing.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { HeapPages, pooledBytes } from './heap-pages.ts';

const MB = 2 ** 20;

test('the pages of a 100 MB peak of the JS heap are given back; checks with nothing new pooled collect nothing', {
  skip: !existsSync('/proc/self/smaps'),
}, () => {
  const pages = new HeapPages(16);
  assert.equal(pages.check(), false, 'nothing pooled yet');
  let burst: Array<{ text: string; n: number[] }> | undefined = [];
  for (let i = 0; i < 400_000; i++) burst.push({ text: `${'x'.repeat(20)}${i}`, n: [i, i + 1] });
  assert.ok(burst.length > 0);
  burst = undefined;
  // An ordinary full collection frees the objects, and V8 keeps their pages.
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  const pooled = pooledBytes() ?? 0;
  assert.ok(pooled > 32 * MB, `pooled after the burst: ${(pooled / MB).toFixed(1)} MB`);
  assert.equal(pages.check(), true);
  const left = pooledBytes() ?? 0;
  assert.ok(left < 16 * MB, `pooled after the release: ${(left / MB).toFixed(1)} MB`);
  for (let i = 0; i < 3; i++) assert.equal(pages.check(), false);
  assert.equal(pages.releases, 1);
});
