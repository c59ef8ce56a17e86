// The order-free reading (components/reflexes/bag.js): a request in an order or with joining words
// no phrasing had, or asked as "how is" where a phrasing asked "what is", is answered; one that
// adds a word of another act ("free up"), a direction ("steps to the station") or asks another
// kind of question ("what words are in X" is no count) goes to the model. Chat spellings and
// "when will the next one come" read as the plain request. Someone else's thing ("your calendar"),
// a yes-or-no question no phrasing asked, or a tie word no phrasing had beside a value is no bag.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { answer } from './precision.ts';
import { EVERYDAY, everydayReflexes, rightAnswer } from './everyday.ts';

function right(id: string, value?: string): string {
  const intent = EVERYDAY.find((i) => i.id === id);
  assert.ok(intent, id);
  return rightAnswer(intent, value).answer;
}

test('the words around the value read as a bag: another order, joining words, "how is" for "what is"', async () => {
  const { reflexes } = await everydayReflexes(localEmbedder);
  const ask = (prompt: string) => answer(reflexes, prompt, 0.8);
  for (const [prompt, id, value] of [
    ["how's ORCL trading", 'stock', 'ORCL'],
    ['IBM stock?', 'stock', 'IBM'],
    ['100 bus when', 'bus', '100'],
    ['how much free space is on my disk', 'disk', undefined],
    ['space left on disk', 'disk', undefined],
    ['any unread messages in my email', 'unread', undefined],
  ] as const)
    assert.equal(ask(prompt), right(id, value), prompt);
});

test('another act, a direction, a quantity asked as which, or a change of time is never read as a bag', async () => {
  const { reflexes } = await everydayReflexes(localEmbedder);
  const ask = (prompt: string) => answer(reflexes, prompt, 0.8);
  for (const prompt of [
    'free up disk space',
    'free up some disk space',
    'how many steps to the station',
    'what words are in essay.txt',
    'exchange rate SEK to USD',
    'how was ORCL trading',
    "how's ORCL trading and sell it",
    'IBM stock split',
  ])
    assert.equal(ask(prompt), undefined, prompt);
});

test('chat spellings read as the words ("hw far", "wats"), and "when will the next one come" asks what "when does it come" asks', async () => {
  const { reflexes } = await everydayReflexes(localEmbedder);
  const ask = (prompt: string) => answer(reflexes, prompt, 0.8);
  assert.equal(ask('hw far is Passau from here'), right('distance', 'Passau'));
  assert.equal(ask('when will the next M41 bus come'), right('bus', 'M41'));
  assert.equal(ask('when will the 100 bus come'), right('bus', '100'));
  // A time spelled as chat is still a time; a future asked other than "when will" is still the future.
  for (const prompt of [
    'weather in Hobart tmrw',
    'wats the weather in Hobart tmrw',
    'what will the weather be in Hobart',
    'will the M41 bus come',
    'what time will it be in Seoul',
    'who will be on call',
    'how far will Passau be',
    'when will room Granite be free',
  ])
    assert.equal(ask(prompt), undefined, prompt);
});

test("someone else's thing, a yes-or-no question no phrasing asked, or a tie word no phrasing had beside the value goes to the model", async () => {
  const { reflexes } = await everydayReflexes(localEmbedder);
  const ask = (prompt: string) => answer(reflexes, prompt, 0.8);
  for (const prompt of [
    "what's on your calendar on friday",
    "what's on our calendar on friday",
    'show your note books',
    'how many steps has he walked',
    'how many steps have we walked',
    'our todo list',
    'do we have unread emails',
    "what's the weather like in Hobart for them",
    'whats ur battery level',
    'is Passau far',
    'is ORCL trading',
    'is sunrise in Porto',
    "is Yuki's phone on",
    'what is in parcel DPD6614',
    'what is in room Granite',
  ])
    assert.equal(ask(prompt), undefined, prompt);
  assert.equal(ask('how much free space is on my disk'), right('disk'));
});
