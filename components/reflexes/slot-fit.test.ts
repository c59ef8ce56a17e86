// Where a value may stand and what it may be: a phrasing with no topic word is asked by its value
// alone, a value right after a word read as another than typed may have begun with that word, and
// a possessive typed without its apostrophe is its owner only where the slot's kind says so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learn } from '../../test/reflex/learn-one.ts';
import { saysIntent, unsureStart } from './slot-fit.js';
import { slotKinds } from './value-kinds.js';
import { words } from './runtime.js';

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

test('a possessive typed without its apostrophe is read as its owner where the slot is of a closed kind ("mondays calendar"), and stays unsure for a name ("Cairos local time")', async () => {
  const day = await learn(
    ['monday', 'tuesday', 'wednesday', 'thursday'].map((d, i) => [
      ["what's on my calendar on {d}", 'what do I have on {d}', 'show my calendar for {d}', 'what is on my calendar {d}'][i].replace('{d}', d),
      { day: d },
    ]),
    ({ day }) => ({ events: day.length }),
    (a, r) => `${(r as { events: number }).events} events on ${a.day}.`,
  );
  assert.equal(day('show fridays calendar'), '6 events on friday.');
  assert.equal(day('whats on my calendar on fridays'), undefined);
  const clock = await learn(
    ['Tokyo', 'Lima', 'Delhi', 'Sydney'].map((c, i) => [
      ['what time is it in {c}', 'time in {c}', "what's the time in {c}?", 'current time in {c}'][i].replace('{c}', c),
      { city: c },
    ]),
    ({ city }) => ({ time: `${city.length}:00` }),
    (a, r) => `It is ${(r as { time: string }).time} in ${a.city}.`,
  );
  assert.equal(clock('whats Cairo local time'), 'It is 5:00 in Cairo.');
  // Cairo's time, or a town called Cairos? The model answers.
  assert.equal(clock('whats Cairos local time'), undefined);
  assert.equal(clock('Cairos local time'), undefined);
});

test('a value ending in s before the noun the phrasings name its kind with ("the gifts note") is that thing\'s name, while an owned thing ("Mias number") stays unsure', async () => {
  const note = await learn(
    ['shopping', 'ideas', 'garden', 'packing'].map((t, i) => [
      ['show my note {t}', 'show me the note {t}', 'what does my note {t} say?', 'read my note {t}'][i].replace('{t}', t),
      { title: t },
    ]),
    ({ title }) => ({ text: `${title.length} lines` }),
    (a, r) => `Note ${a.title}: ${(r as { text: string }).text}.`,
  );
  assert.equal(note('show the gifts note please'), 'Note gifts: 5 lines.');
  assert.equal(note('books note, show it'), 'Note books: 5 lines.');
  assert.equal(note('delete the gifts note'), undefined);
  const phone = await learn(
    ['Anna', 'Omar', 'Lena', 'Raj'].map((n, i) => [
      ["what's {n}'s phone number", 'phone number of {n}', 'what is the phone number for {n}', '{n} phone number'][i].replace('{n}', n),
      { name: n },
    ]),
    ({ name }) => ({ phone: `+49 ${name.length}` }),
    (a, r) => `${a.name}: ${(r as { phone: string }).phone}.`,
  );
  // Mia's number, or someone called Mias? The model answers.
  assert.equal(phone('Mias phone number'), undefined);
});
