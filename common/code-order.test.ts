// Component folders and slots list in the same order as the locale's collation gave for the names
// they have, without building the collator.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byCodeUnits } from './code-order.ts';

test('slot and folder names sort as the locale collation sorted them', () => {
  const names = ['tool/write-file', 'channel/slack', 'tool/web-fetch', 'tool/echo', 'provider/openai', 'tool/web-search', 'store/core', 'tool/kv2', 'tool/kv'];
  assert.deepEqual(
    [...names].sort(byCodeUnits),
    [...names].sort((a, b) => a.localeCompare(b)),
  );
  assert.equal(byCodeUnits('same', 'same'), 0);
});
