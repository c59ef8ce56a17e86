// Requests a stranger types whose value is not the kind the reflex learned: a city with its
// region ("Hobart, Tasmania"), a currency code where a stock symbol was learned, a weekday
// shortened or a time word where a weekday was, a file name without its extension, a filler or a
// common noun after its article where a name was, a word of the request's time inside the value.
// Each is answered right (the intended answer) or left to the model; never answered wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { answer } from './precision.ts';
import { EVERYDAY, everydayReflexes, rightAnswer } from './everyday.ts';

async function ask() {
  const { reflexes } = await everydayReflexes(localEmbedder);
  return (prompt: string) => answer(reflexes, prompt, 0.8);
}

function right(id: string, value?: string): string {
  const intent = EVERYDAY.find((i) => i.id === id);
  assert.ok(intent, id);
  return rightAnswer(intent, value).answer;
}

test('a value with more words than the learned ones, or a region after a comma, is left to the model', async () => {
  const reply = await ask();
  for (const prompt of [
    'weather in Hobart Tasmania',
    'weather in Hobart, Tasmania',
    "what's the weather like in Hobart Australia",
    'time in Seoul Korea',
    'time in Cairo Egypt pls',
    'current time in Cairo UTC',
    'how far is Passau Germany',
    "what's Yuki Tanaka's phone number",
    'population of Kathmandu Nepal',
    'departures from Worms Hbf',
    'air quality in Leeds UK',
    'sunrise in Porto Portugal',
  ])
    assert.equal(reply(prompt), undefined, prompt);
  assert.equal(reply('weather in Hobart'), right('weather', 'Hobart'));
  assert.equal(reply('time in Cairo pls'), right('clock', 'Cairo'));
});

test('a currency code is never a stock symbol, and a stock symbol is no currency', async () => {
  const reply = await ask();
  for (const prompt of [
    'how much is one SEK',
    'how much is a SEK',
    'price of SEK',
    'SEK price',
    'what is SEK trading at',
    'how much is one SEK in USD',
    'IBM to EUR',
  ])
    assert.equal(reply(prompt), undefined, prompt);
  assert.equal(reply('how much is one SEK in euros'), right('fx', 'SEK'));
  assert.equal(reply('price of IBM'), right('stock', 'IBM'));
});

test('a weekday slot takes only a weekday: "fri", "later", "soon" and "holiday" go to the model', async () => {
  const reply = await ask();
  for (const prompt of [
    "what's on my calendar on fri",
    'what is on my calendar later',
    'what is on my calendar soon',
    "what's on my calendar on holiday",
    'what do I have on sale',
  ])
    assert.equal(reply(prompt), undefined, prompt);
  assert.equal(reply("what's on my calendar on friday"), right('calendar', 'friday'));
});

test('a file slot takes only a file name; a filler, a word of time or a common noun after its article is no name', async () => {
  const reply = await ask();
  for (const prompt of [
    'how many words are in a haiku',
    'how many words are in the bible',
    'count words in this sentence',
    'how many words are in essay',
    'show my note please',
    'read my note aloud',
    'show the invoice please',
    'how much is left',
  ])
    assert.equal(reply(prompt), undefined, prompt);
  assert.equal(reply('word count of essay.txt'), right('wordcount', 'essay.txt'));
  assert.equal(reply('show the hosting invoice'), right('invoice', 'hosting'));
  assert.equal(reply('give me a paella recipe'), right('recipe', 'paella'));
});
