// What the PostgreSQL backend does with text before and after the server: `?` placeholders
// numbered outside quotes, and int8 values read as exact numbers or, past 2^53, as bigints.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { numberPlaceholders, parseInt8 } from './postgres-backend.ts';

test('placeholders are numbered in order, and a ? inside quotes is left alone', () => {
  assert.equal(numberPlaceholders('SELECT * FROM t WHERE a = ? AND b = \'?\' AND "c?" = ?'), 'SELECT * FROM t WHERE a = $1 AND b = \'?\' AND "c?" = $2');
});

test('an int8 is a number while it is exact as one, and a bigint beyond', () => {
  assert.equal(parseInt8('0'), 0);
  assert.equal(parseInt8('-42'), -42);
  assert.equal(parseInt8('1764979200000'), 1764979200000);
  assert.equal(parseInt8('999999999999999'), 999999999999999);
  assert.equal(parseInt8('-999999999999999'), -999999999999999);
  assert.equal(parseInt8('9007199254740991'), Number.MAX_SAFE_INTEGER);
  assert.equal(parseInt8('-9007199254740991'), Number.MIN_SAFE_INTEGER);
  assert.equal(parseInt8('9007199254740993'), 9007199254740993n);
  assert.equal(parseInt8('-9223372036854775808'), -9223372036854775808n);
});
