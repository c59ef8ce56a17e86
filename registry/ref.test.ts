import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTitanError } from '../common/errors.ts';
import { formatRef, parseRef } from './ref.ts';

test('parseRef reads [kind/]name[@range]', () => {
  assert.deepEqual(parseRef('echo'), { name: 'echo' });
  assert.deepEqual(parseRef('tool/echo'), { kind: 'tool', name: 'echo' });
  assert.deepEqual(parseRef('tool/echo@^1.2'), { kind: 'tool', name: 'echo', range: '^1.2' });
  assert.deepEqual(parseRef(' web-search@1.0.0 '), { name: 'web-search', range: '1.0.0' });
  assert.deepEqual(parseRef('echo@>=1.0.0 <2'), { name: 'echo', range: '>=1.0.0 <2' });
});

test('parseRef refuses bad text with TITAN_E_USAGE', () => {
  for (const text of ['', 'widget/echo', 'Echo', '../etc', 'tool/', 'echo@', 'echo@not-a-range', 'tool/echo/extra', '@1.0.0']) {
    assert.throws(
      () => parseRef(text),
      (error) => isTitanError(error, 'TITAN_E_USAGE'),
      text,
    );
  }
});

test('formatRef writes what parseRef reads', () => {
  assert.equal(formatRef({ kind: 'tool', name: 'echo', version: '1.2.3' }), 'tool/echo@1.2.3');
  assert.equal(formatRef({ name: 'echo', range: '^1' }), 'echo@^1');
  assert.deepEqual(parseRef(formatRef({ kind: 'channel', name: 'cli', range: '~2.1' })), { kind: 'channel', name: 'cli', range: '~2.1' });
});
