// The adversarial tuning parts (data/everyday-tuning-adversarial*.json): requests a stranger types
// that share a reflex's learned words but ask something else (a value of the wrong kind, another
// verb, tense or measure, a compound request, a title holding a word the reader mends) all go to
// the model, and the wrong answers found by hand stay fixed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { answer } from './precision.ts';
import { everydayReflexes, measureEveryday } from './everyday.ts';

test('no reflex answers a near miss of the adversarial part, and its new values of the right kind are answered right', async () => {
  const m = await measureEveryday(localEmbedder, undefined, ['adversarial']);
  const part = m.parts.adversarial;
  assert.ok(part);
  assert.deepEqual(part.wrong, []);
  assert.equal(part.correct, part.paraphrases);
});

test('no reflex answers a near miss of the second adversarial part (one word away, negated, in another tense, compound, of another kind)', async () => {
  const m = await measureEveryday(localEmbedder, undefined, ['adversarial2']);
  const part = m.parts.adversarial2;
  assert.ok(part);
  assert.deepEqual(part.wrong, []);
  assert.equal(part.nearMissesAnswered, 0);
});

test('no reflex answers a near miss of the third adversarial part', async () => {
  const m = await measureEveryday(localEmbedder, undefined, ['adversarial3']);
  const part = m.parts.adversarial3;
  assert.ok(part);
  assert.deepEqual(part.wrong, []);
  assert.equal(part.nearMissesAnswered, 0);
});

test('the wrong answers found by hand go to the model', async () => {
  const { reflexes } = await everydayReflexes(localEmbedder);
  for (const prompt of [
    // a topic for a dish, where the phrasing has no word of cooking
    'what do I need for school',
    // rent and a commodity are no coin; a coin's ticker is no stock
    'how much is rent',
    'price of gold',
    'LTC price',
    // the ride's length, not the time until the bus
    'how long is the M41 bus',
    // the title is "reading list", not "list"
    'show my note reading list',
    // asked in dollars, answered in euros
    'show my invoice called june in dollars',
    // a flight's code, written as one parcel code of four was, with no word saying it is a parcel
    'where is KL1776',
    // reading the emails out, not counting them
    'read my unread emails',
    // what may or should be, not what is (a modal after the word that asks)
    'who should work on INF-77',
    'how many words can cv.docx have',
    'what time can i see Flow',
    // the verb of calling her, not her number
    'phone Mia now',
    // a form of a document, a state of things: no invoice's name, no dish
    'invoice template',
    'recipe for disaster',
    'give me a recipe for success',
    // a measure converted to another unit
    'steps to km',
    // a verb in lower case before one's own things is no name; a weather station is no weather
    'export my notes',
    'export all my notes',
    'the weather station in Nairobi',
  ])
    assert.equal(answer(reflexes, prompt, 0.8), undefined, prompt);
});
