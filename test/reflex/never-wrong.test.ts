// Reflex answers bound to their sources: values glued to text (a UTC offset, a distance with its
// unit) are bound to the tool's result, lists are written whole with their real length, and a
// template that holds a value as literal text, or picks items by position, is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReflex } from '../../components/reflexes/runtime.js';
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { minePatterns, type ObservedTurn } from '../../agent/reflex/miner.ts';

const options = { embedder: localEmbedder, minSupport: 3, similarity: 0.5 };
const OFFSETS: Record<string, string> = { Tokyo: '+09:00', Seoul: '+09:00', Osaka: '+09:00', Paris: '+01:00', Lima: '-05:00', Delhi: '+05:30' };

function clock(city: string) {
  return { city, time: '14:05', utc_offset: OFFSETS[city] };
}

function turn(id: string, prompt: string, tool: string, args: Record<string, unknown>, result: unknown, answer: string): ObservedTurn {
  return { turnId: id, prompt, calls: [{ tool, args, result: JSON.stringify(result) }], answer };
}

async function mineOne(turns: ObservedTurn[]) {
  const patterns = await minePatterns(turns, options);
  assert.equal(patterns.length, 1);
  return patterns[0];
}

test('a UTC offset glued to text is bound to the result, even when every source turn had the same offset', async () => {
  const turns = ['Tokyo', 'Seoul', 'Osaka'].map((city, i) =>
    turn(`t${i}`, `what time is it in ${city}`, 'clock', { city }, clock(city), `It is 14:05 in ${city} (UTC${OFFSETS[city]}).`),
  );
  const pattern = await mineOne(turns);
  assert.equal(pattern.skipped, undefined, pattern.skipped);
  const reflex = createReflex({ ...pattern.spec, name: 'clock', description: '' }, (_, input) => JSON.stringify(clock(JSON.parse(input).city)));
  for (const city of ['Paris', 'Lima', 'Delhi']) {
    assert.equal(reflex.execute(reflex.match(`what time is it in ${city}`)!.slotsJson), `It is 14:05 in ${city} (UTC${OFFSETS[city]}).`);
  }
});

test('a number with its unit glued on is bound to the result', async () => {
  const km: Record<string, number> = { Bonn: 12, Kiel: 340, Ulm: 7, Jena: 95 };
  const dist = (city: string) => ({ to: city, distance_km: km[city] });
  const turns = ['Bonn', 'Kiel', 'Ulm'].map((city, i) =>
    turn(`d${i}`, `how far is ${city}`, 'distance', { to: city }, dist(city), `${city} is ${km[city]}km away.`),
  );
  const pattern = await mineOne(turns);
  const reflex = createReflex({ ...pattern.spec, name: 'distance', description: '' }, (_, input) => JSON.stringify(dist(JSON.parse(input).to)));
  assert.equal(reflex.execute(reflex.match('how far is Jena')!.slotsJson), 'Jena is 95km away.');
});

const EVENTS = [
  { title: 'Dentist', time: '10:00' },
  { title: 'Gym', time: '18:00' },
  { title: 'Dinner', time: '20:00' },
  { title: 'Call Bo', time: '21:30' },
  { title: 'Read', time: '23:00' },
];
const DAYS: Record<string, number> = { monday: 3, tuesday: 3, wednesday: 3, thursday: 5, friday: 1, saturday: 2, sunday: 0 };

function agenda(day: string) {
  return { day, entries: EVENTS.slice(0, DAYS[day]) };
}

function agendaAnswer(day: string): string {
  const entries = agenda(day).entries.map((e) => `${e.title} at ${e.time}`);
  return `You have ${entries.length} entries on ${day}: ${entries.slice(0, -1).join(', ')} and ${entries.at(-1)}.`;
}

function agendaReflex(pattern: Awaited<ReturnType<typeof mineOne>>) {
  return createReflex({ ...pattern.spec, name: 'agenda', description: '' }, (_, input) => JSON.stringify(agenda(JSON.parse(input).day)));
}

test('a list is written whole with its real count: longer lists are not truncated, shorter ones do not throw', async () => {
  const turns = ['monday', 'tuesday', 'wednesday'].map((day, i) =>
    turn(`a${i}`, `what is on my calendar on ${day}`, 'calendar', { day }, agenda(day), agendaAnswer(day)),
  );
  const pattern = await mineOne(turns);
  assert.equal(pattern.skipped, undefined, pattern.skipped);
  const reflex = agendaReflex(pattern);
  assert.equal(reflex.execute(reflex.match('what is on my calendar on thursday')!.slotsJson), agendaAnswer('thursday'));
  assert.equal(reflex.execute(reflex.match('what is on my calendar on saturday')!.slotsJson), agendaAnswer('saturday'));
  // One entry ("1 entries ... and") or none: shapes the source turns never showed; the model answers.
  assert.throws(() => reflex.execute(reflex.match('what is on my calendar on friday')!.slotsJson), /one item/);
  assert.throws(() => reflex.execute(reflex.match('what is on my calendar on sunday')!.slotsJson), /empty/);
});

test('an answer that lists only some of the items, or picks them by position, is refused', async () => {
  const firstTwo = (day: string) => {
    const [a, b] = agenda(day).entries;
    return `First ${a.title} at ${a.time}, then ${b.title} at ${b.time}.`;
  };
  const turns = ['monday', 'tuesday', 'thursday'].map((day, i) =>
    turn(`p${i}`, `what is on my calendar on ${day}`, 'calendar', { day }, agenda(day), firstTwo(day)),
  );
  const pattern = await mineOne(turns);
  assert.match(pattern.skipped ?? '', /writes 2 of the (3|5) items of entries/);
});

test('a value the tool does not return as written (the offset in minutes) varies as a literal: refused', async () => {
  const minutes: Record<string, number> = { Tokyo: 540, Paris: 60, Lima: -300 };
  const turns = ['Tokyo', 'Paris', 'Lima'].map((city, i) =>
    turn(
      `m${i}`,
      `what time is it in ${city}`,
      'clock',
      { city },
      { city, time: '14:05', offset_minutes: minutes[city] },
      `It is 14:05 in ${city} (UTC${OFFSETS[city]}).`,
    ),
  );
  const pattern = await mineOne(turns);
  assert.ok(pattern.skipped, 'no reflex');
});

test('a literal that is the same in most source turns but differs in one refuses the pattern', async () => {
  const minutes: Record<string, number> = { Tokyo: 540, Seoul: 540, Osaka: 540, Paris: 60 };
  const turns = ['Tokyo', 'Seoul', 'Osaka', 'Paris'].map((city, i) =>
    turn(
      `n${i}`,
      `what time is it in ${city}`,
      'clock',
      { city },
      { city, time: '14:05', offset_minutes: minutes[city] },
      `It is 14:05 in ${city} (UTC${OFFSETS[city]}).`,
    ),
  );
  const pattern = await mineOne(turns);
  assert.match(pattern.skipped ?? '', /turn n3 answered/);
});

test('contractions typed without the apostrophe read as with it: "whats" is "what is", "isnt" a negation', async () => {
  const { words } = await import('../../components/reflexes/runtime.js');
  assert.equal(
    words('whats the build, it isnt passing and I dont care')
      .map((t) => t.w)
      .join(' '),
    'what is the build it is not passing and i do not care',
  );
});
