// A heap peak given back: after a burst of short-lived objects, the pages V8 keeps for them are
// released once they pass the threshold, right after the collection that freed them when watched,
// and a check with nothing new kept collects nothing.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { HeapPages, slackBytes } from './heap-pages.ts';

const MB = 2 ** 20;

test('the pages of a 100 MB peak of the JS heap are given back; checks with nothing new kept collect nothing', {
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
  const kept = slackBytes() ?? 0;
  assert.ok(kept > 32 * MB, `kept after the burst: ${(kept / MB).toFixed(1)} MB`);
  assert.equal(pages.check(), true);
  const left = slackBytes() ?? 0;
  assert.ok(left < 16 * MB, `kept after the release: ${(left / MB).toFixed(1)} MB`);
  for (let i = 0; i < 3; i++) assert.equal(pages.check(), false);
  assert.equal(pages.releases, 1);
});

test('a watched heap gives a peak back after the major collection that freed it, with no timer', {
  skip: !existsSync('/proc/self/smaps'),
}, async () => {
  const pages = new HeapPages(16);
  const unwatch = pages.watch();
  try {
    let burst: Array<{ text: string; n: number[] }> | undefined = [];
    for (let i = 0; i < 400_000; i++) burst.push({ text: `${'y'.repeat(20)}${i}`, n: [i, i + 1] });
    assert.ok(burst.length > 0);
    burst = undefined;
    v8.setFlagsFromString('--expose-gc');
    (vm.runInNewContext('gc') as () => void)();
    // GC entries reach observers on a later turn of the event loop.
    for (let i = 0; i < 50 && pages.releases === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(pages.releases, 1);
    assert.ok((slackBytes() ?? 0) < 16 * MB);
  } finally {
    unwatch();
  }
});
