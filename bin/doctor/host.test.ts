// Doctor's Node check on versions other than the one running the test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeFinding } from './host.ts';

test('a Node older than the engines field fails with how to get Node 24; 24 and newer pass', () => {
  const old = nodeFinding('20.11.1');
  assert.equal(old.status, 'fail');
  assert.match(old.message, /Node 20\.11\.1 is too old: Titan needs >=24/);
  assert.match(old.fix ?? '', /npx titan.*Node 24|Node 24/);
  assert.equal(nodeFinding('24.0.0').status, 'ok');
  assert.equal(nodeFinding('v25.1.0').status, 'ok');
});
