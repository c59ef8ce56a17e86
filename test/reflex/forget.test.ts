// Forgetting threads reaches the reflexes: deleting a thread that a reflex was not learned from
// leaves the reflex serving; clearing all chats (the reflex's only source) deletes it, through the
// gateway as the web UI does it; a deleted thread's precomputed shadow answers go, and one still
// being computed when the thread goes is never cached.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { LlmEvent } from '../../agent/loop/llm-types.ts';
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { ShadowWorkers } from '../../agent/reflex/shadow.ts';
import { startGateway } from '../../gateway/server.ts';
import { learnWeather, modelTurn, reflexHarness } from './harness.ts';
import { INTENTS } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

test('a reflex learned only from the chats that are cleared is deleted with them; another thread going leaves it', async (t) => {
  const h = await reflexHarness(t);
  const source = (await h.agent.createThread('ada')).id;
  await learnWeather(h, source, weather);
  const [record] = h.reflexes.list();
  assert.equal(record.state, 'serving');
  const other = (await h.agent.createThread('ada')).id;
  h.steps.push(...modelTurn(weather, 'Oslo'));
  await h.ask(other, 'weather in Oslo', { modelOnly: true });

  const gateway = await startGateway({ kernel: h.kernel, agent: h.agent, port: 0, ownerId: 'ada' });
  t.after(() => gateway.close());
  const token = (await readFile(path.join(h.home, 'gateway-token'), 'utf8')).trim();
  const call = async (method: string, route: string) => {
    const response = await fetch(gateway.url + route, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as { forgotten?: { reflexes: string[]; shadowEntries: number } } };
  };

  const one = await call('DELETE', `/api/threads/${other}`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.body.forgotten, { reflexes: [], shadowEntries: 0 });
  assert.deepEqual(
    h.reflexes.list().map((r) => [r.name, r.state]),
    [[record.name, 'serving']],
  );

  const all = await call('DELETE', '/api/threads');
  assert.equal(all.status, 200);
  assert.deepEqual(all.body.forgotten, { reflexes: [record.name], shadowEntries: 0 });
  assert.deepEqual(h.reflexes.list(), []);
  assert.deepEqual((await h.kernel.store.op('reflexes.list')).length, 0);
  // No longer offered: the next such request goes to the model.
  const thread = (await h.agent.createThread('ada')).id;
  h.steps.push(...modelTurn(weather, 'Lima'));
  const calls = h.model.requests.length;
  await h.ask(thread, 'weather in Lima');
  assert.equal(h.model.requests.length, calls + 2);
});

test("a deleted thread's shadow answers go, also one still being computed", async () => {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const shadow = new ShadowWorkers({
    // Predicts one request; precomputing it for thread "slow" waits until released.
    async *llm(request) {
      const predicting = request.messages.at(-1)?.content.startsWith("Predict the user's");
      if (!predicting && request.messages.some((m) => m.content === 'slow')) await held;
      const text = predicting ? 'what time is it in Rome?' : 'It is noon in Rome.';
      yield { type: 'text', text } satisfies LlmEvent;
      yield { type: 'stop', reason: 'end_turn' } satisfies LlmEvent;
    },
    embedder: localEmbedder,
    tools: async () => [],
    invokeTool: async () => '',
    concurrency: 2,
    budgetPerHour: 100,
    ttlMs: 60_000,
    similarity: 0.8,
  });
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  };
  shadow.afterTurn('kept', [{ role: 'user', content: 'kept' }]);
  shadow.afterTurn('gone', [{ role: 'user', content: 'gone' }]);
  shadow.afterTurn('slow', [{ role: 'user', content: 'slow' }]);
  await until(() => shadow.cached('kept').length === 1 && shadow.cached('gone').length === 1 && shadow.stats.predictions === 3);
  assert.equal(shadow.forget(['gone', 'slow']), 1);
  assert.deepEqual(shadow.cached('gone'), []);
  release();
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(shadow.cached('slow'), []);
  assert.deepEqual(
    shadow.cached('kept').map((c) => c.prompt),
    ['what time is it in Rome?'],
  );
  assert.equal(await shadow.lookup('gone', 'what time is it in Rome?'), undefined);
  shadow.close();
});
