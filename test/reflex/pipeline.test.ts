// Recurring requests become a reflex: mined from completed turns, compiled, built, published with
// provenance, guarded, deployed through the patch queue; the next such request is answered by the
// reflex without a model call, and the answer is marked as the reflex's everywhere it is stored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelTurn, reflexHarness } from './harness.ts';
import { INTENTS, fill, rightAnswer } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

test('recurring weather requests become a deployed reflex; the next one is answered without the model and marked', async (t) => {
  const h = await reflexHarness(t);
  const thread = await h.agent.createThread('ada');
  const sources: string[] = [];
  const cities = ['Paris', 'Berlin', 'Rome', 'Madrid'];
  for (const [i, phrasing] of weather.train.entries()) {
    h.steps.push(...modelTurn(weather, cities[i]));
    const turn = await h.ask(thread.id, fill(phrasing, { city: cities[i] }));
    assert.equal(turn.state, 'completed');
    sources.push(turn.turnId);
  }
  await h.reflexes.mine();
  const [record] = h.reflexes.list();
  assert.equal(record?.state, 'serving', record?.reason ?? 'no reflex');
  assert.deepEqual([...record.provenance].sort(), [...sources].sort());
  // Published with its provenance, deployed through a patch.
  const manifest = await h.kernel.registry.show({ kind: 'reflex', name: record.name, version: record.version! });
  assert.deepEqual([...(manifest.schema['x-titan-provenance'] as { turns: string[] }).turns].sort(), [...sources].sort());
  assert.deepEqual(manifest.capabilities.tools, { allow: ['weather'] });
  assert.equal(manifest.limits?.isolation, 'worker');
  const patch = h.kernel.patches.list().find((p) => p.slot === `reflex/${record.name}`);
  assert.equal(patch?.state, 'deployed');

  const modelCalls = h.model.requests.length;
  const turn = await h.ask(thread.id, 'what is the weather like in Lisbon?');
  assert.equal(h.model.requests.length, modelCalls, 'no model call');
  assert.equal(turn.text, rightAnswer(weather, 'Lisbon').answer);
  const marker = turn.events.find((e) => e.type === 'answer.source');
  assert.deepEqual(marker && { source: marker.source, name: marker.reflex?.name }, { source: 'reflex', name: record.name });
  assert.equal(
    turn.events.find((e) => e.type === 'turn.completed')?.type === 'turn.completed' &&
      (turn.events.find((e) => e.type === 'turn.completed') as { from: string }).from,
    'reflex',
  );
  const stored = (await h.kernel.store.listMessages(thread.id)).at(-1);
  assert.equal(stored?.source, `reflex:${record.name}@${record.version}`);
  assert.equal(h.reflexes.get(record.name).hits, 1);
  // A prompt that is not this intent still goes to the model.
  h.steps.push([
    { type: 'text', text: 'Tomorrow looks wet.' },
    { type: 'stop', reason: 'end_turn' },
  ]);
  const other = await h.ask(thread.id, 'what is the weather in Lisbon tomorrow?');
  assert.equal(other.text, 'Tomorrow looks wet.');
  assert.equal(h.model.requests.length, modelCalls + 1);
});
