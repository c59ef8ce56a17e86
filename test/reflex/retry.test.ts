// A cluster whose reflex build fails is not built again on every mining run as its turns keep
// coming: it waits its pause (5 minutes after its first build, doubled after each), then is built once more.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { generateSource } from '../../agent/reflex/compiler.ts';
import { RETRY_AFTER_MS } from '../../agent/reflex/mining.ts';
import { learnWeather, modelTurn, reflexHarness, type Harness } from './harness.ts';
import { INTENTS } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

/** The weather phrasings asked again through the model, each for a city not asked before, then a mining run. */
async function askMore(h: Harness, thread: string, cities: string[]): Promise<void> {
  for (const [i, city] of cities.entries()) {
    h.steps.push(...modelTurn(weather, city));
    await h.ask(thread, weather.train[i % weather.train.length].replace('{city}', city));
  }
  await h.reflexes.mine();
}

test('a reflex that trips its smoke test is not built again before its pause, however many turns follow; after it, once more', async (t) => {
  const h = await reflexHarness(
    t,
    {},
    { generate: async (spec) => (await generateSource(spec)).replace('const found = match(example.prompt);', 'const found = null;') },
  );
  const thread = (await h.agent.createThread('ada')).id;
  await learnWeather(h, thread, weather);
  const [record] = h.reflexes.list();
  assert.deepEqual([record.state, record.version], ['discarded', '1.0.0']);
  const folder = (version: string) => path.join(h.home, 'reflexes', record.name, version);
  // Its support doubles, twice: no build.
  await askMore(h, thread, ['Oslo', 'Lima', 'Quito', 'Cairo']);
  await askMore(h, thread, ['Delhi', 'Dakar', 'Hanoi', 'Accra', 'Sofia', 'Minsk', 'Tunis', 'Seoul']);
  assert.deepEqual([record.state, record.version], ['discarded', '1.0.0']);
  assert.equal(existsSync(folder('1.1.0')), false, 'never built again');
  // Five minutes on: built once more, and discarded again with the reason.
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() + RETRY_AFTER_MS });
  await h.reflexes.mine();
  assert.deepEqual([record.state, record.version], ['discarded', '1.1.0']);
  assert.match(record.reason ?? '', /TITAN_E_SMOKE_FAILED.*does not match its source prompt/);
  // The next pause is ten minutes.
  t.mock.timers.setTime(Date.now() + RETRY_AFTER_MS);
  await h.reflexes.mine();
  assert.equal(record.version, '1.1.0');
});
