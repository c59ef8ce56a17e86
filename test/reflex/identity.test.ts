// Reflex identities and robustness: two clusters with the same plan and core words get different
// keys and names; a store that refuses writes while a reflex is compiled neither stops the mining
// run nor leaves a deployed reflex that does not serve.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { loadRecords } from '../../agent/reflex/records.ts';
import { minePatterns, uniqueKeys, type ObservedTurn } from '../../agent/reflex/miner.ts';
import type { StoreClient } from '../../kernel/store-client.ts';
import { bootstrapBuiltins, Kernel } from '../../kernel/api.ts';
import { hasHostCopy } from '../../agent/reflex/router.ts';
import { ReflexService } from '../../agent/reflex/service.ts';
import { TEST_CACHE } from '../support/kernel.ts';
import { learnedWeatherThenStopped, learnWeather, reflexHarness } from './harness.ts';
import { INTENTS, rightAnswer } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

test('two clusters with the same plan and the same core words get different keys; the first keeps its own', async () => {
  const cities = ['Paris', 'Rome', 'Oslo', 'Lima', 'Kyiv', 'Baku'];
  const turns: ObservedTurn[] = cities.map((city, i) => {
    const { args, result, answer } = rightAnswer(weather, city);
    return { turnId: `t${i}`, prompt: `weather in ${city}`, calls: [{ tool: 'weather', args, result }], answer };
  });
  // The same recurring request seen as two clusters (as a coarser embedder or a later run may split it).
  const [a, b] = await Promise.all(
    [turns.slice(0, 3), turns.slice(3)].map(async (part) => (await minePatterns(part, { embedder: localEmbedder, minSupport: 3, similarity: 0.5 }))[0]),
  );
  assert.equal(a.key, b.key, 'the same plan and core words');
  const [first, second] = uniqueKeys([a, b]);
  assert.equal(first.key, a.key);
  assert.notEqual(second.key, a.key);
  assert.equal(second.spec.provenance.key, second.key);
});

test('a store that refuses writes while a reflex compiles: mining completes, the reflex serves, and is saved once the store is back', async (t) => {
  const h = await reflexHarness(t);
  const store = h.kernel.store as StoreClient & { op: StoreClient['op'] };
  const op = store.op.bind(store);
  let refuse = true;
  store.op = ((name: Parameters<StoreClient['op']>[0], ...rest: unknown[]) => {
    if (refuse && name === 'reflexes.save') return Promise.reject(new Error('UNIQUE constraint failed: reflex_patterns.intent'));
    return (op as (n: string, ...r: unknown[]) => Promise<unknown>)(name, ...rest);
  }) as StoreClient['op'];
  const thread = (await h.agent.createThread('ada')).id;
  await learnWeather(h, thread, weather);
  const [record] = h.reflexes.list();
  assert.equal(record?.state, 'serving', record?.reason ?? 'no reflex');
  const modelCalls = h.model.requests.length;
  assert.equal((await h.ask(thread, 'weather in Vienna')).text, rightAnswer(weather, 'Vienna').answer);
  assert.equal(h.model.requests.length, modelCalls, 'answered by the reflex');
  refuse = false;
  await h.reflexes.flushCounters();
  const [stored] = await loadRecords(h.kernel.store);
  assert.equal(stored?.state, 'serving');
});

test('after a restart a serving reflex is warm before its first request, on the host where it answers, with no worker thread started for it', async (t) => {
  const { home, record } = await learnedWeatherThenStopped(t, weather);
  const kernel = await Kernel.open({ home: home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  t.after(() => kernel.close());
  await bootstrapBuiltins(kernel);
  await kernel.restoreDeployments();
  const slot = () => kernel.slot('reflex', record.name).active;
  assert.equal(slot()?.stats().created, 0, 'restored without an instance');
  assert.equal(hasHostCopy(kernel, record), false, 'nothing warm before the service starts');
  const service = new ReflexService(kernel, { mineDelayMs: 3_600_000 });
  t.after(() => service.close());
  await service.start();
  for (let i = 0; i < 300 && !hasHostCopy(kernel, record); i++) await new Promise((r) => setTimeout(r, 20));
  // The standard generated reflex answers on the host: its host copy is made and asked before any
  // request, and no worker thread is started only to warm it (its memory would stay with the process).
  assert.ok(hasHostCopy(kernel, record), 'warmed on the host');
  assert.equal(slot()?.stats().created, 0, 'no worker instance made to warm it');
});
