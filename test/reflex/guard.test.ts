// Bad input around reflexes: generated source that fails to build or its smoke test is discarded
// with its reason and never published or deployed; a reflex that answers near misses never
// deploys; a serving reflex that throws or runs past its time limit falls back to the model in
// the same turn.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSource } from '../../agent/reflex/compiler.ts';
import { learnWeather, reflexHarness } from './harness.ts';
import { INTENTS, rightAnswer } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

async function assertDiscarded(h: Awaited<ReturnType<typeof reflexHarness>>, reason: RegExp) {
  const [record] = h.reflexes.list();
  assert.equal(record?.state, 'discarded');
  assert.match(record.reason ?? '', reason);
  assert.equal(
    h.kernel.components().some((c) => c.kind === 'reflex'),
    false,
    'nothing deployed',
  );
  assert.equal(
    h.kernel.patches.list().some((p) => p.kind === 'reflex'),
    false,
    'no patch proposed',
  );
  // The next such request goes to the model.
  h.steps.push([
    { type: 'text', text: 'model answer' },
    { type: 'stop', reason: 'end_turn' },
  ]);
  const thread = await h.agent.createThread('ada');
  assert.equal((await h.ask(thread.id, 'weather in Oslo')).text, 'model answer');
}

test("generated source that does not build is discarded with the compiler's reason", async (t) => {
  const h = await reflexHarness(t, {}, { generate: async () => 'export const reflex = {' });
  await learnWeather(h, (await h.agent.createThread('ada')).id, weather);
  await assertDiscarded(h, /TITAN_E_BUILD_FAILED/);
  assert.deepEqual(await h.kernel.registry.list({ kind: 'reflex' }), []);
});

test('generated source that trips its smoke test is discarded and never published', async (t) => {
  const h = await reflexHarness(
    t,
    {},
    { generate: async (spec) => (await generateSource(spec)).replace('const found = match(example.prompt);', 'const found = null;') },
  );
  await learnWeather(h, (await h.agent.createThread('ada')).id, weather);
  await assertDiscarded(h, /TITAN_E_SMOKE_FAILED.*does not match its source prompt/);
  assert.deepEqual(await h.kernel.registry.list({ kind: 'reflex' }), []);
});

test('a reflex that answers near misses fails its precision guard and is not deployed', async (t) => {
  // Over-eager: whatever it cannot place, it answers for Paris.
  const eager = async (spec: Parameters<typeof generateSource>[0]) =>
    (await generateSource(spec)).replace('if (!best) return null;', 'if (!best) return { confidence: 0.99, slotsJson: JSON.stringify({ city: "Paris" }) };');
  const h = await reflexHarness(t, {}, { generate: eager });
  await learnWeather(h, (await h.agent.createThread('ada')).id, weather);
  await assertDiscarded(h, /precision guard: answers the near miss/);
});

test('a reflex that throws, or runs past its time limit, falls back to the model within the same turn', async (t) => {
  const faulty = async (spec: Parameters<typeof generateSource>[0]) =>
    (await generateSource(spec)).replace(
      'const execute = (slotsJson) => {',
      'const execute = (slotsJson) => { if (slotsJson.includes("Oslo")) { for (;;) {} } if (slotsJson.includes("Lima")) throw "boom";',
    );
  const h = await reflexHarness(t, { reflexes: { timeoutMs: 300 } }, { generate: faulty });
  const thread = (await h.agent.createThread('ada')).id;
  await learnWeather(h, thread, weather);
  const [record] = h.reflexes.list();
  assert.equal(record.state, 'serving', record.reason ?? '');
  for (const city of ['Oslo', 'Lima']) {
    h.steps.push([
      { type: 'text', text: `model: ${city}` },
      { type: 'stop', reason: 'end_turn' },
    ]);
    const turn = await h.ask(thread, `weather in ${city}`);
    assert.equal(turn.state, 'completed');
    assert.equal(turn.text, `model: ${city}`);
    const note = turn.events.find((e) => e.type === 'status');
    assert.match(note?.type === 'status' ? note.message : '', new RegExp(`reflex ${record.name} failed .*the model answers`));
    assert.equal(
      turn.events.some((e) => e.type === 'answer.source'),
      false,
    );
  }
  assert.match(h.reflexes.get(record.name).reason ?? '', /^$/);
  assert.equal(h.reflexes.get(record.name).misses, 2);
  // It still serves the requests it handles.
  assert.equal((await h.ask(thread, 'weather in Vienna')).text, rightAnswer(weather, 'Vienna').answer);
});
