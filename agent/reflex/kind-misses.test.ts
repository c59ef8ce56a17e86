// The guard asks a reflex its own phrasing with a value of another kind, written as its values
// were: a stock learned from tickers is asked of a coin's ticker and a metal, a dish of a meal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { otherKindMisses } from './kind-misses.ts';

const examples = (template: string, values: string[]) => values.map((v) => ({ prompt: template.replace('X', v), slots: { x: v } }));

test('a value swapped for one of another kind, in the shape the slot was learned in', () => {
  assert.deepEqual(otherKindMisses(examples('price of X', ['AAPL', 'MSFT', 'NVDA'])), ['price of LTC', 'price of XAU', 'price of SEK']);
  const dishes = otherKindMisses(examples('recipe for X', ['lasagna', 'risotto', 'ramen']));
  assert.ok(dishes.includes('recipe for dinner') && dishes.includes('recipe for two'), dishes.join(', '));
  // A coin slot is asked of no coin: litecoin is of its kind.
  const coins = otherKindMisses(examples('price of X', ['bitcoin', 'ethereum', 'solana']));
  assert.ok(!coins.includes('price of litecoin') && coins.includes('price of dinner'), coins.join(', '));
});

test('a slot learned from values of several kinds, or a prompt without its value, gets none', () => {
  assert.deepEqual(otherKindMisses(examples('weather in X', ['Paris', 'Peru', 'Mars'])), []);
  assert.deepEqual(otherKindMisses([{ prompt: 'battery level', slots: {} }]), []);
});
