// A request is served a precomputed prediction when it means the same: worded otherwise, but with
// the same values, numbers and intent-changing words; with an embedder that knows synonyms, words
// the prediction never used are paired by meaning.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localEmbedder, localEmbedding, type Embedder } from './embedder.ts';
import { namedValues, predictionKey, sameRequest } from './shadow-match.ts';

const weatherInRome = async (embedder: Embedder) =>
  predictionKey(embedder, "what's the weather in Rome?", namedValues("what's the weather in Rome?", ['{"city":"Rome","units":"metric"}']));

test('with the local embedder: other wordings of the same request match; other places, times, topics and actions do not', async () => {
  const key = await weatherInRome(localEmbedder);
  assert.deepEqual([...key.exact], ['rome'], 'the city the tool was given; "metric" was never said');
  for (const same of ['weather in Rome', 'Rome weather please', 'and the weather in Rome?', 'what is the weather in Rome right now'])
    assert.equal(await sameRequest(localEmbedder, same, key, 0.75), true, same);
  for (const other of [
    "what's the weather in Paris?",
    "what's the weather in Rome tomorrow?",
    "what's the time in Rome?",
    'weather in Rome and Paris',
    "what isn't the weather in Rome",
    'delete the weather in Rome',
    'hotels in Rome',
    'Rome forecast',
  ])
    assert.equal(await sameRequest(localEmbedder, other, key, 0.75), false, other);
});

test('small talk matches only in the same words', async () => {
  const key = await predictionKey(localEmbedder, 'how are you?', new Set());
  assert.equal(await sameRequest(localEmbedder, 'How are you', key, 0.75), true);
  assert.equal(await sameRequest(localEmbedder, 'who are you?', key, 0.75), false);
});

// An embedder that places synonyms together (as a provider's does): "forecast" is "weather", and so on.
const SYNONYMS: Record<string, string> = { condition: 'weather', climate: 'weather', paris: 'rome', tuesday: 'monday', 12: '10' };
const meaning: Embedder = { name: 'synonyms', embed: async (texts) => texts.map((t) => localEmbedding(SYNONYMS[t.toLowerCase()] ?? t)) };

test('with an embedder that knows meaning: a word never used is paired with one of the same meaning, but values and numbers stay exact', async () => {
  const key = await weatherInRome(meaning);
  assert.equal(await sameRequest(meaning, 'Rome conditions?', key, 0.75), true, 'conditions means weather');
  assert.equal(await sameRequest(meaning, 'climate in Rome', key, 0.75), true);
  assert.equal(await sameRequest(meaning, 'rainy conditions in Rome', key, 0.75), false, '"rainy" has no partner');
  assert.equal(await sameRequest(meaning, 'conditions in Paris', key, 0.75), false, 'Paris is near Rome in meaning, but Rome was the value');
  const prompt = 'meetings on Monday at 10';
  const dated = await predictionKey(meaning, prompt, namedValues(prompt, ['{"day":"Monday"}']));
  assert.equal(await sameRequest(meaning, 'meetings on Monday at 12', dated, 0.75), false, 'numbers are exact');
  assert.equal(await sameRequest(meaning, 'meetings on Tuesday at 10', dated, 0.75), false, 'the day the tool was given is exact');
  assert.equal(await sameRequest(meaning, 'Monday meetings at 10', dated, 0.75), true);
});
