// The plan's acceptance test: the same request asked twice, the second answered without the model
// (its read-only tool run again; benchmarks/reflex.ts times it against 100 ms); asking the model
// instead sends that request to the model from then on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelTurn, reflexHarness } from './harness.ts';
import { INTENTS, rightAnswer } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

test('the same request asked twice: the second is answered without the model', async (t) => {
  const h = await reflexHarness(t);
  const thread = (await h.agent.createThread('ada')).id;
  h.steps.push(...modelTurn(weather, 'Lisbon'));
  const first = await h.ask(thread, "What's the weather in Lisbon?");
  assert.equal(first.text, rightAnswer(weather, 'Lisbon').answer);
  for (let i = 0; i < 300 && h.reflexes.repeatsKept() === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const requests = h.model.requests.length;
  const started = performance.now();
  const second = await h.ask(thread, "what's the weather in Lisbon");
  const ms = performance.now() - started;
  assert.equal(second.text, first.text);
  assert.equal(h.model.requests.length, requests, 'no model request');
  // The time is measured against its 100 ms target by npm run bench (benchmarks/reflex.ts), not asserted here.
  t.diagnostic(`the second answered in ${ms.toFixed(1)} ms`);
  const marker = second.events.find((e) => e.type === 'answer.source');
  assert.equal(marker?.type === 'answer.source' && marker.source, 'reflex');
  assert.equal((await h.kernel.store.listMessages(thread)).at(-1)?.source, 'reflex:repeat@1');
  assert.equal(h.reflexes.counters.repeats, 1);

  // The user asks the model instead: the model answers, and the same request goes to the model from then on.
  h.steps.push(...modelTurn(weather, 'Lisbon'));
  await h.reflexes.askModelInstead(h.agent, 'ada', second.turnId);
  await Promise.all(h.agent.running().map((r) => r.done));
  await new Promise((r) => setTimeout(r, 200)); // the model's turn is seen by the background work
  h.steps.push(...modelTurn(weather, 'Lisbon'));
  const before = h.model.requests.length;
  await h.ask(thread, "what's the weather in Lisbon");
  assert.ok(h.model.requests.length > before, 'the model answered');
});
