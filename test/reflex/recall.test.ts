// Recall on unseen wording: a reflex mined from one way of asking answers the everyday other ways
// (through the request lexicon and the intent check), and refuses requests that share its words
// but ask another act, time, polarity, or add a request.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createReflex } from '../../components/reflexes/runtime.js';
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { minePatterns } from '../../agent/reflex/miner.ts';
import { runEverydayTool } from './everyday-tools.ts';
import { EVERYDAY, rightAnswer, sourceTurns } from './everyday.ts';
import { answer } from './precision.ts';

async function reflexFor(id: string) {
  const intent = EVERYDAY.find((i) => i.id === id)!;
  const [pattern] = await minePatterns(sourceTurns(intent), { embedder: localEmbedder, minSupport: 3, similarity: 0.5 });
  assert.equal(pattern.skipped, undefined, pattern.skipped);
  const reflex = createReflex({ ...pattern.spec, name: id, description: '' }, runEverydayTool);
  const ask = (prompt: string) => {
    const match = reflex.match(prompt);
    return match && match.confidence >= 0.8 ? reflex.execute(match.slotsJson) : undefined;
  };
  return { intent, ask };
}

test('"pull up the invoice named march" finds the invoice reflex learned from "show my invoice called april"; "archive the invoice called march" does not', async () => {
  const { intent, ask } = await reflexFor('invoice');
  assert.ok(intent.train.includes('show my invoice called {name}'));
  const march = rightAnswer(intent, 'march').answer;
  for (const prompt of ['pull up the invoice named march', 'bring up invoice march', 'open the invoice titled march', 'let me see the invoice called march']) {
    assert.equal(ask(prompt), march, prompt);
  }
  for (const prompt of [
    'archive the invoice called march',
    "don't show the invoice called march",
    'what was in the invoice called march last year',
    'pull up the invoice named march and email it to Bob',
    'pay the invoice named march',
  ]) {
    assert.equal(ask(prompt), undefined, prompt);
  }
});

test('a question put another way is the same question; another question about the same thing is not', async () => {
  const distance = await reflexFor('distance');
  const bonn = rightAnswer(distance.intent, 'Bonn').answer;
  for (const prompt of ['km to Bonn', 'how many kilometres to Bonn', 'how far to Bonn', 'how far is Bonn from here'])
    assert.equal(distance.ask(prompt), bonn, prompt);
  for (const prompt of ['why is Bonn so far', 'how far was Bonn', 'how far will Bonn be']) assert.equal(distance.ask(prompt), undefined, prompt);
  // The value moved before the topic word, its tie word gone; an amount is no currency.
  assert.equal(distance.ask('Bonn distance'), bonn);
  const fx = await reflexFor('fx');
  assert.equal(fx.ask('AUD in euros'), rightAnswer(fx.intent, 'AUD').answer);
  for (const prompt of ['how much is 100 USD in euros', '50 GBP to EUR', 'EUR to AUD']) assert.equal(fx.ask(prompt), undefined, prompt);
  const words = await reflexFor('wordcount');
  assert.equal(words.ask('number of words in essay.txt'), rightAnswer(words.intent, 'essay.txt').answer);
  assert.equal(words.ask('what words are in essay.txt'), undefined);
});

test('a long word typed with a letter left out, doubled or two swapped is read as the word; one letter for another only in a word of eight letters or more', async () => {
  const { intent, ask } = await reflexFor('weather');
  const lisbon = rightAnswer(intent, 'Lisbon').answer;
  for (const prompt of ['wether in Lisbon', 'whats the weahter in Lisbon', 'weatherr in Lisbon']) assert.equal(ask(prompt), lisbon, prompt);
  assert.equal(ask('wexther in Lisbon'), undefined);
  const calendar = await reflexFor('calendar');
  assert.equal(calendar.ask("what's on my calender on friday"), rightAnswer(calendar.intent, 'friday').answer);
});

test('a code written unlike every source value is no value of the slot: a ticket key is no flight', async () => {
  const { intent, ask } = await reflexFor('flight');
  assert.equal(ask('what is the status of KL1776'), rightAnswer(intent, 'KL1776').answer);
  assert.equal(ask('what is the status of APP-256'), undefined);
  // A code says what it is: the word naming its kind (the tool argument's name) may go unsaid.
  for (const prompt of ['is KL1776 on time', 'KL1776 on time?']) assert.equal(ask(prompt), rightAnswer(intent, 'KL1776').answer, prompt);
  for (const prompt of ['is KL1776 on time tomorrow', 'rebook KL1776', 'is Anna on time']) assert.equal(ask(prompt), undefined, prompt);
  const ticket = await reflexFor('ticket');
  for (const prompt of ['show me APP-256', 'check APP-256']) assert.equal(ticket.ask(prompt), rightAnswer(ticket.intent, 'APP-256').answer, prompt);
  for (const prompt of ['APP-256', 'close APP-256', 'show me Anna']) assert.equal(ticket.ask(prompt), undefined, prompt);
});

test("requests that share the everyday reflexes' words but ask something else are answered by none of them", async () => {
  const patterns = await minePatterns(EVERYDAY.flatMap(sourceTurns), { embedder: localEmbedder, minSupport: 3, similarity: 0.5 });
  const reflexes = patterns
    .filter((p) => !p.skipped)
    .map((p) => createReflex({ ...p.spec, name: JSON.stringify(p.spec.calls), description: '' }, runEverydayTool));
  const misses = readFileSync(new URL('./data/everyday-near-misses.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean);
  assert.ok(misses.length >= 150);
  assert.deepEqual(
    misses.filter((prompt) => answer(reflexes, prompt, 0.8) !== undefined),
    [],
  );
});

test('everyday words for the same request: a possession asked with "have", a person\'s number, the air, the sun, the clock', async () => {
  const cases: Array<[string, string, string]> = [
    ['population', 'how many inhabitants does Kenya have', 'Kenya'],
    ['population', 'how populous is Peru', 'Peru'],
    ['phone', "Omar's number", 'Omar'],
    ['phone', 'phone for Lena', 'Lena'],
    ['air', 'how polluted is Lagos', 'Lagos'],
    ['sun', 'when does it get dark in Dubai', 'Dubai'],
    ['clock', 'what hour is it in Lima', 'Lima'],
    ['weather', "what's it like outside in Nairobi", 'Nairobi'],
    ['calendar', "what's happening on friday", 'friday'],
  ];
  for (const [id, prompt, value] of cases) {
    const { intent, ask } = await reflexFor(id);
    assert.equal(ask(prompt), rightAnswer(intent, value).answer, prompt);
  }
  const phone = await reflexFor('phone');
  for (const prompt of ["Omar's house number", 'call Omar', "what was Omar's old number"]) assert.equal(phone.ask(prompt), undefined, prompt);
  const population = await reflexFor('population');
  // "Ghanas population": no country is called Ghanas, so it is Ghana's (a country is a closed kind);
  // "Nairobis weather" could be a town called Nairobis, and is left to the model.
  assert.equal(population.ask('whats Ghanas population'), rightAnswer(population.intent, 'Ghana').answer);
  assert.equal(population.ask('Perus population'), rightAnswer(population.intent, 'Peru').answer);
  assert.equal(population.ask('how many people lived in Kenya'), undefined);
  const weather = await reflexFor('weather');
  assert.equal(weather.ask('Nairobis weather'), undefined);
});

test("a short word with two letters swapped, and another ending of a phrasing's word in the same tense, are read as that word", async () => {
  const clock = await reflexFor('clock');
  assert.equal(clock.ask('tmie in Tokyo'), rightAnswer(clock.intent, 'Tokyo').answer);
  const bus = await reflexFor('bus');
  assert.equal(bus.ask('when is the M10 bus coming'), rightAnswer(bus.intent, 'M10').answer);
  const note = await reflexFor('note');
  assert.equal(note.ask('showing my note ideas'), rightAnswer(note.intent, 'ideas').answer);
  assert.equal(note.ask('showed my note ideas'), undefined, 'a past form is no present one');
});

test('how a stranger types: chat shorthand, a code without its kind word on either side, a value with its tie word gone, a constant plan in its core words', async () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['weather', 'temps in Paris rn', 'Paris'],
    ['calendar', 'am I busy monday', 'monday'],
    ['population', 'how many ppl live in Chile', 'Chile'],
    ['define', 'def of ennui', 'ennui'],
    ['bus', 'next bus M10', 'M10'],
    ['bus', 'when does the next N5 come', 'N5'],
    ['departures', 'next departures Mainz', 'Mainz'],
    ['recipe', 'recipe ramen pls', 'ramen'],
    ['battery', 'battery?', undefined],
    ['battery', "how's my battery", undefined],
    ['disk', 'disk space?', undefined],
    ['oncall', 'who is on call atm', undefined],
  ];
  for (const [id, prompt, value] of cases) {
    const { intent, ask } = await reflexFor(id);
    assert.equal(ask(prompt), rightAnswer(intent, value).answer, prompt);
  }
  // A word no phrasing used, another time, another act: still the model's.
  const battery = await reflexFor('battery');
  for (const prompt of ['battery health', 'battery level yesterday', 'turn on battery saver']) assert.equal(battery.ask(prompt), undefined, prompt);
  const recipe = await reflexFor('recipe');
  assert.equal(recipe.ask('order ramen'), undefined);
});

test('a word of the same sense as a phrasing\'s own is read as it ("the bill called march" for the invoice); another act on it, or its opposite, is not', async () => {
  const { intent, ask } = await reflexFor('invoice');
  const march = rightAnswer(intent, 'march').answer;
  for (const prompt of ['show me the bill called march', 'display bill march', 'the march bill']) assert.equal(ask(prompt), march, prompt);
  for (const prompt of ['pay the bill called march', 'archive bill march', 'show the bill called march from last year', 'delete the march bill'])
    assert.equal(ask(prompt), undefined, prompt);
  const sun = await reflexFor('sun');
  assert.equal(sun.ask('sundown in Porto'), rightAnswer(sun.intent, 'Porto').answer);
  assert.equal(sun.ask('moonrise in Porto'), undefined);
});
