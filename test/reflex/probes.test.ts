// Counterfactual probes before a reflex serves: its phrasings asked with values they were not seen
// with, answered by the reflex (tools run, read-only only) and by the model; a disagreement
// discards the reflex with the reason, agreement lets it serve.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { counterfactualPrompts } from '../../agent/reflex/probes.ts';
import type { Step } from '../support/model-double.ts';
import { modelTurn, reflexHarness, type Harness } from './harness.ts';
import { INTENTS } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

test('probes are source phrasings with another value, or a value the schema allows that no turn used', () => {
  const spec = {
    slots: ['code'],
    calls: [{ tool: 'fx', args: { code: { slot: 'code', form: 'same' as const, oneOf: ['EUR', 'GBP', 'JPY'] } } }],
    examples: [
      { prompt: 'rate of EUR', slots: { code: 'EUR' } },
      { prompt: 'exchange rate for GBP', slots: { code: 'GBP' } },
    ],
  };
  assert.deepEqual(counterfactualPrompts(spec, 2), ['rate of GBP', 'exchange rate for JPY']);
  assert.deepEqual(counterfactualPrompts({ ...spec, slots: [], examples: [{ prompt: 'build status', slots: {} }] }, 2), ['build status']);
});

/** The weather phrasings through the model (a city each), then the model's answer to the probe, then mining. */
async function learnThenProbe(h: Harness, probeSteps: Step[]): Promise<void> {
  const thread = (await h.agent.createThread('ada')).id;
  const cities = ['Paris', 'Berlin', 'Rome', 'Madrid'];
  for (const [i, phrasing] of weather.train.entries()) {
    h.steps.push(...modelTurn(weather, cities[i]));
    await h.ask(thread, phrasing.replace('{city}', cities[i]));
  }
  h.steps.push(...probeSteps);
  await h.reflexes.mine();
}

test('a reflex the model contradicts on a probe is discarded with the reason; one it agrees with serves', async (t) => {
  const wrong = await reflexHarness(t, { reflexes: { probes: 1 } });
  // The first probe: the first phrasing ("weather in {city}") with the second turn's city.
  await learnThenProbe(wrong, [
    [
      { type: 'text', text: 'It is 40 °C and stormy in Berlin.' },
      { type: 'stop', reason: 'end_turn' },
    ],
  ]);
  const [discarded] = wrong.reflexes.list();
  assert.equal(discarded.state, 'discarded');
  assert.match(
    discarded.reason ?? '',
    /counterfactual probe: to the probe "weather in Berlin" it answers ".*", the model "It is 40 °C and stormy in Berlin\."/,
  );
  assert.equal(
    wrong.kernel.components().some((c) => c.kind === 'reflex'),
    false,
  );

  const right = await reflexHarness(t, { reflexes: { probes: 1 } });
  await learnThenProbe(right, modelTurn(weather, 'Berlin'));
  const [serving] = right.reflexes.list();
  assert.equal(serving.state, 'serving', serving.reason ?? '');
});
