// A slot learned from numbers takes a number of another digit count, written as the learned ones
// were, and refuses every value of another kind that holds digits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitsNumber, numberSlot } from './number-slot.js';

/** Values that hold digits but are no plain number: each is refused by every slot of numbers. */
const OTHER_KINDS = ['10:30', '3pm', '2026-12-06', '12/06', '$5', '€40', '10%', '1.2.3', 'v2', '555-1234', '5551234', 'A12', '12A', '0042', '-5', '+5'];

test('a slot learned from one-digit numbers takes numbers of any digit count up to six', () => {
  const slot = numberSlot(['1', '2', '3'], false, []);
  assert.ok(slot);
  for (const value of ['4', '0', '12', '100', '10000', '999999']) assert.equal(fitsNumber(slot, value), true, value);
  for (const value of [...OTHER_KINDS, '2.5', '5km', 'five']) assert.equal(fitsNumber(slot, value), false, value);
});

test('a decimal part where a source value had one or the schema says number, never where it says integer', () => {
  assert.equal(fitsNumber(numberSlot(['1.5', '2', '3'], false, []), '12.25'), true);
  assert.equal(fitsNumber(numberSlot(['10', '25', '3'], false, ['number']), '2.5'), true);
  const integer = numberSlot(['10', '25', '3'], false, ['integer']);
  assert.equal(fitsNumber(integer, '2.5'), false);
  assert.equal(fitsNumber(integer, '1500'), true);
  assert.equal(numberSlot(['1.5', '2'], false, ['integer'])?.decimal, false);
});

test('a unit glued to the source numbers is asked for, any digit count before it, and no other unit', () => {
  const slot = numberSlot(['5km', '8km', '10km'], false, []);
  assert.ok(slot);
  for (const value of ['12km', '150km', '3km']) assert.equal(fitsNumber(slot, value), true, value);
  for (const value of ['3pm', '12mi', '5KM', '12', '2.5km', ...OTHER_KINDS]) assert.equal(fitsNumber(slot, value), false, value);
});

test('longer numbers than six digits only where the source values were nearly that long', () => {
  assert.equal(fitsNumber(numberSlot(['1234567', '2345678', '3456789'], false, []), '12345678'), true);
  assert.equal(fitsNumber(numberSlot(['1234567', '2345678', '3456789'], false, []), '123456789'), false);
});

test('no slot of numbers where a tool reads the value as text, a source value is a code, or the units differ', () => {
  assert.equal(numberSlot(['10115', '80331', '20095'], true, []), undefined);
  assert.equal(numberSlot(['0042', '17', '3'], false, []), undefined);
  assert.equal(numberSlot(['5km', '10'], false, []), undefined);
  assert.equal(numberSlot(['LH401', '17'], false, []), undefined);
  assert.equal(numberSlot([], false, []), undefined);
});
