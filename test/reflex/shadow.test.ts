// Shadow workers: after a model turn the background model predicts the next requests, their
// answers are precomputed (only with tools that need no approval and change nothing) and cached;
// a next request that means the same (not the same string) is answered from the cache at once.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { startGateway } from '../../gateway/server.ts';
import { toolCall } from '../support/model-double.ts';
import { modelTurn, reflexHarness } from './harness.ts';
import { INTENTS, rightAnswer } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

test('a predicted request is precomputed with a read-only tool and served from the cache; side-effect and approval tools are never run', async (t) => {
  const h = await reflexHarness(t, { shadow: { enabled: true, concurrency: 1 } });
  const thread = (await h.agent.createThread('ada')).id;
  const shadow = h.reflexes.shadow!;
  h.steps.push(
    ...modelTurn(weather, 'Paris'),
    // The background model's predictions, then one precomputation each, in order.
    [
      { type: 'text', text: "1. what's the weather in Rome?\n2. save a note about Paris\n3. clean up the workspace\n4. a fourth is never asked" },
      { type: 'stop', reason: 'end_turn' },
    ],
    [...toolCall(0, 'p1', 'weather', { city: 'Rome' }), { type: 'stop', reason: 'tool_use' }],
    [
      { type: 'text', text: rightAnswer(weather, 'Rome').answer },
      { type: 'stop', reason: 'end_turn' },
    ],
    [...toolCall(0, 'p2', 'kv', { op: 'set', key: 'note', value: 'Paris' }), { type: 'stop', reason: 'tool_use' }],
    [...toolCall(0, 'p3', 'shell', { command: 'rm -rf tmp' }), { type: 'stop', reason: 'tool_use' }],
  );
  await h.ask(thread, 'weather in Paris');
  await until(() => shadow.stats.precomputed === 1 && shadow.stats.abandoned === 2, `precomputed 1, abandoned 2: ${JSON.stringify(shadow.stats)}`);
  assert.equal(shadow.stats.predictions, 3);
  assert.deepEqual(
    shadow.cached(thread).map((c) => c.prompt),
    ["what's the weather in Rome?"],
  );
  // The kv tool never ran: nothing was stored.
  assert.deepEqual(await h.kernel.invokeTool('kv', { op: 'list', prefix: '' }), { keys: [] });
  // Close in embedding space but another request (another time, place or topic): not served from the cache.
  for (const other of ["what's the weather in Rome tomorrow?", "what's the weather in Paris?", "what's the time in Rome?", 'weather in Rome and Paris'])
    assert.equal(await shadow.lookup(thread, other), undefined, other);
  assert.equal(await shadow.lookup('another-thread', 'weather in Rome'), undefined);

  // The same request in other words is served.
  const calls = h.model.requests.length;
  const turn = await h.ask(thread, 'Rome weather, please');
  assert.equal(turn.text, rightAnswer(weather, 'Rome').answer);
  assert.equal(h.model.requests.length, calls, 'no model call');
  const marker = turn.events.find((e) => e.type === 'answer.source');
  assert.equal(marker?.type === 'answer.source' && marker.source, 'shadow');
  assert.equal((await h.kernel.store.listMessages(thread)).at(-1)?.source, 'shadow');
  assert.equal(h.reflexes.counters.shadowHits, 1);
  assert.deepEqual(shadow.cached(thread), [], 'a cached answer serves once');
  // The account: one prediction, two requests for Rome, one for each abandoned; the hit saved two.
  assert.deepEqual(h.reflexes.shadowSummary(), { model: 'background', requestsSpent: 5, requestsSaved: 2, stats: { ...shadow.stats } });
  // The same account where the owner reads it: the reflexes route (titan reflex list, the Reflexes page) and /metrics.
  const gateway = await startGateway({ kernel: h.kernel, agent: h.agent, port: 0, ownerId: 'ada' });
  t.after(() => gateway.close());
  const headers = { authorization: `Bearer ${(await readFile(path.join(h.home, 'gateway-token'), 'utf8')).trim()}` };
  const listed = (await (await fetch(`${gateway.url}/api/reflexes`, { headers })).json()) as {
    shadowSummary: { requestsSpent: number; requestsSaved: number };
  };
  assert.deepEqual([listed.shadowSummary.requestsSpent, listed.shadowSummary.requestsSaved], [5, 2]);
  const metrics = await (await fetch(`${gateway.url}/metrics`, { headers })).text();
  assert.match(metrics, /titan_shadow_model_requests\{kind="spent"\} 5\n/);
  assert.match(metrics, /titan_shadow_model_requests\{kind="saved"\} 2\n/);
});

test('without a background model shadow workers are off, unless the main model gets a budget (counted)', async (t) => {
  const off = await reflexHarness(t, { shadow: { enabled: true } }, { backgroundModel: false });
  assert.equal(off.reflexes.shadow, undefined);
  assert.equal(off.reflexes.shadowSummary().model, 'off');
  // Three requests an hour: one prediction and one precomputation's two steps.
  const main = await reflexHarness(t, { shadow: { enabled: true, mainModelBudgetPerHour: 3 } }, { backgroundModel: false });
  const thread = (await main.agent.createThread('ada')).id;
  main.steps.push(
    [
      { type: 'text', text: 'hi' },
      { type: 'stop', reason: 'end_turn' },
    ],
    [
      { type: 'text', text: 'how are you?\nwhat time is it?' },
      { type: 'stop', reason: 'end_turn' },
    ],
    [
      { type: 'text', text: 'fine' },
      { type: 'stop', reason: 'end_turn' },
    ],
  );
  await main.ask(thread, 'hello');
  const shadow = main.reflexes.shadow!;
  await until(() => shadow.stats.precomputed === 1 && shadow.stats.overBudget === 1, JSON.stringify(shadow.stats));
  assert.deepEqual([main.reflexes.shadowSummary().model, main.reflexes.shadowSummary().requestsSpent], ['main', 2]);
});

test('predictions stop at the hourly budget', async (t) => {
  const h = await reflexHarness(t, { shadow: { enabled: true, budgetPerHour: 3 } });
  const thread = (await h.agent.createThread('ada')).id;
  const shadow = h.reflexes.shadow!;
  h.steps.push(
    [
      { type: 'text', text: 'hi' },
      { type: 'stop', reason: 'end_turn' },
    ],
    [
      { type: 'text', text: 'how are you?\nwhat time is it?' },
      { type: 'stop', reason: 'end_turn' },
    ],
    [
      { type: 'text', text: 'fine' },
      { type: 'stop', reason: 'end_turn' },
    ],
  );
  await h.ask(thread, 'hello');
  await until(() => shadow.stats.precomputed === 1 && shadow.stats.overBudget === 1, JSON.stringify(shadow.stats));
  // The main turn's request and the shadow's two: no more.
  assert.equal(h.model.requests.length, 1 + shadow.requests.spent);
  assert.equal(shadow.requests.spent, 2);
});
