// Where a value may stand and what it may be: a phrasing with no topic word is asked by its value
// alone, and a value right after a word read as another than typed may have begun with that word.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { saysIntent, unsureStart } from './slot-fit.js';
import { slotKinds } from './value-kinds.js';
import { words } from './words.js';

function spec(values: string[]) {
  const s = { slots: ['x'], examples: values.map((x) => ({ slots: { x } })) };
  return { ...s, kinds: slotKinds(s) };
}

test('a phrasing without a topic word is asked only by a value its source turns had, or one of their closed kind', () => {
  const dishes = spec(['lasagna', 'risotto', 'shakshuka', 'ramen']);
  assert.equal(saysIntent(dishes, 'x', 'Lasagna'), true);
  // "what do I need for school": any value could ask anything there.
  assert.equal(saysIntent(dishes, 'x', 'school'), false);
  const coins = spec(['bitcoin', 'ethereum', 'solana', 'dogecoin']);
  assert.equal(saysIntent(coins, 'x', 'monero'), true);
});

test('a lower-case value right after a mended or plural word is unsure where it starts; a name or a code is not', () => {
  const at = (prompt: string, word: string, mended = false) => {
    const toks = words(prompt).map((t) => (mended && prompt.slice(t.start, t.end) === 'reading' ? { ...t, w: 'read', mended: true } : t));
    const start = toks.findIndex((t) => t.w === word);
    return unsureStart(toks, start, start + 1, prompt);
  };
  assert.equal(at('show my note reading list', 'list', true), true);
  assert.equal(at('show my notes folder', 'folder'), true);
  assert.equal(at('show my note shopping', 'shopping'), false);
  assert.equal(at('departures Siegen', 'siegen'), false);
});
