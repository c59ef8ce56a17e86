// Mining: paraphrases of one intent land in one pattern and different intents in different ones;
// slots come from the tool arguments found in the prompts; the answer template from the values of
// the tool results found in the answers; tool-less requests get their slot from the prompts' frame.
// Precision and recall on the committed paraphrase and near-miss sets (data/intents.json).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReflex } from '../../components/reflexes/runtime.js';
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { nearMisses } from '../../agent/reflex/guard.ts';
import { minePatterns } from '../../agent/reflex/miner.ts';
import { measure } from './precision.ts';
import { INTENTS, observedTurns, runTool } from './support.ts';

const options = { embedder: localEmbedder, minSupport: 3, similarity: 0.5 };

test('paraphrases of an intent form one pattern; different intents form different ones', async () => {
  const turns = INTENTS.flatMap((intent) => observedTurns(intent));
  const patterns = (await minePatterns(turns, options)).filter((p) => !p.skipped);
  const byTool = new Map(patterns.map((p) => [p.tools.join(), p]));
  assert.deepEqual([...byTool.keys()].sort(), ['notes', 'quote', 'weather']);
  for (const pattern of patterns) {
    const sources = new Set(pattern.spec.provenance.turns.map((id) => id.replace(/-\d+$/, '')));
    assert.equal(sources.size, 1, `one intent per pattern: ${[...sources]}`);
  }
  const weather = byTool.get('weather')!;
  assert.equal(weather.support, 4);
  assert.deepEqual(weather.spec.slots, ['city']);
  assert.deepEqual(weather.spec.core, ['in', 'weather']);
  assert.ok(weather.spec.templates.some((t) => t.join(' ') === 'what is the weather like in {city}'));
});

test('slots come from the tool arguments in the prompt; constant arguments stay constants; the answer is templated from the results', async () => {
  const notes = (await minePatterns(observedTurns(INTENTS.find((i) => i.id === 'show-note')!), options)).find((p) => !p.skipped)!;
  assert.deepEqual(notes.spec.slots, ['title']);
  assert.deepEqual(notes.spec.calls, [{ tool: 'notes', args: { op: { value: 'show' }, title: { slot: 'title', form: 'same' } } }]);
  assert.deepEqual(notes.spec.answer, [{ text: 'Your note ' }, { slot: 'title', form: 'same' }, { text: ': ' }, { call: 0, path: ['text'] }]);
  const weather = (await minePatterns(observedTurns(INTENTS[0]), options)).find((p) => !p.skipped)!;
  const reflex = createReflex({ ...weather.spec, name: 'w', description: '' }, runTool);
  // Multi-word values and trailing words the phrasings used are told apart.
  assert.deepEqual(JSON.parse(reflex.match('what is the weather like in New York?')!.slotsJson), { city: 'New York' });
  assert.deepEqual(JSON.parse(reflex.match('how is the weather in Dublin right now')!.slotsJson), { city: 'Dublin' });
  assert.equal(reflex.match('weather in Paris please')!.confidence, 1);
});

test('tool-less requests: the frame the prompts share is kept, the one varying run is the slot', async () => {
  const turns = ['Ada', 'Bob', 'Cyd'].map((name, i) => ({ turnId: `t${i}`, prompt: `hello ${name}`, calls: [], answer: `echo: hello ${name}` }));
  const [pattern] = await minePatterns(turns, options);
  assert.equal(pattern.skipped, undefined);
  const reflex = createReflex({ ...pattern.spec, name: 'hello', description: '' }, runTool);
  assert.equal(reflex.execute(reflex.match('hello Dan')!.slotsJson), 'echo: hello Dan');
  assert.equal(reflex.match("don't say hello Dan"), null);
  // Different answers that do not follow from the prompt are not a pattern.
  const random = ['a', 'b', 'c'].map((x, i) => ({ turnId: `r${i}`, prompt: 'tell me a joke', calls: [], answer: `joke ${x}${i}` }));
  assert.deepEqual(
    (await minePatterns(random, options)).filter((p) => !p.skipped),
    [],
  );
});

test('generated near misses are refused by every mined reflex', async () => {
  const turns = INTENTS.flatMap((intent) => observedTurns(intent));
  for (const pattern of (await minePatterns(turns, options)).filter((p) => !p.skipped)) {
    const reflex = createReflex({ ...pattern.spec, name: 'x', description: '' }, runTool);
    for (const prompt of nearMisses(pattern.spec)) {
      const match = reflex.match(prompt);
      assert.ok(!match || match.confidence < 0.8, `"${prompt}" matched ${JSON.stringify(match)}`);
    }
  }
});

test('precision and recall on the paraphrase and near-miss sets: no wrong answer', async (t) => {
  const m = await measure(localEmbedder);
  const precision = m.answered === 0 ? 1 : m.correct / m.answered;
  const recall = m.correct / m.paraphrases;
  t.diagnostic(
    `local embedder: ${m.patterns.filter((p) => !p.skipped).length} patterns; precision ${precision.toFixed(3)} (${m.correct}/${m.answered}); recall ${recall.toFixed(3)} (${m.correct}/${m.paraphrases} paraphrases); ${m.nearMisses} near misses`,
  );
  for (const prompt of m.missed) t.diagnostic(`not answered: ${prompt}`);
  assert.deepEqual(m.wrong, []);
  assert.ok(m.correct > m.paraphrases / 2, 'most paraphrases are answered');
});

test('phrasings that share no word form one reflex: each phrasing then needs all of its own words', async () => {
  const gloss = (word: string) => JSON.stringify({ word, gloss: `a kind of ${word}` });
  const turns = [
    ['define {w}', 'hubris'],
    ['what does {w} mean', 'ennui'],
    ['definition of {w}', 'sonder'],
  ].map(([phrasing, word], i) => ({
    turnId: `d${i}`,
    prompt: phrasing.replace('{w}', word),
    calls: [{ tool: 'dictionary', args: { word }, result: gloss(word) }],
    answer: `${word}: a kind of ${word}`,
  }));
  // One cluster (a coarse similarity: the local embedder puts phrasings without a shared word apart).
  const [pattern] = await minePatterns(turns, { ...options, similarity: 0.1 });
  assert.equal(pattern.skipped, undefined, pattern.skipped);
  assert.deepEqual(pattern.spec.core, []);
  const reflex = createReflex({ ...pattern.spec, name: 'define', description: '' }, (_, input) => gloss(JSON.parse(input).word));
  assert.equal(reflex.execute(reflex.match('what does laconic mean')!.slotsJson), 'laconic: a kind of laconic');
  for (const prompt of ['translate laconic', 'what does laconic', 'laconic', 'definition']) assert.equal(reflex.match(prompt), null, prompt);
});
