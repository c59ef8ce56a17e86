// The shadow workers' budget and account: every model request they make is counted before it is
// made and never passes the hourly budget; a cache hit saves the requests its precomputation took.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LlmEvent } from '../loop/llm-types.ts';
import type { LlmStream } from '../loop/turn.ts';
import { localEmbedder } from './embedder.ts';
import { type ShadowOptions, ShadowWorkers } from './shadow.ts';

/** A background model that predicts two requests and answers every other request in one step. */
function countingModel(): LlmStream & { made: number } {
  const model = async function* (request: Parameters<LlmStream>[0]): AsyncGenerator<LlmEvent> {
    model.made++;
    const last = request.messages.at(-1)?.content ?? '';
    yield { type: 'text', text: last.startsWith('Predict') ? 'what time is it?\nhow are you?' : `answer to ${last}` };
    yield { type: 'stop', reason: 'end_turn' };
  };
  model.made = 0;
  return model;
}

/** Shadow workers on `model` with no tools, a one-minute cache and `options` (the budget, above all). */
function workers(model: LlmStream, options: Partial<ShadowOptions>): ShadowWorkers {
  return new ShadowWorkers({
    llm: model,
    embedder: localEmbedder,
    tools: async () => [],
    invokeTool: async () => '{}',
    concurrency: 1,
    budgetPerHour: 0,
    ttlMs: 60_000,
    similarity: 0.75,
    ...options,
  });
}

async function settle(shadow: ShadowWorkers, model: { made: number }): Promise<void> {
  let last = -1;
  for (let i = 0; i < 200 && model.made !== last; i++) {
    last = model.made;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(shadow.requests.spent, model.made, 'every request the model got is counted, and only those');
}

test('the hourly budget counts every model request (predictions and precomputations) and is never passed', async () => {
  let now = 0;
  const model = countingModel();
  const shadow = workers(model, { concurrency: 2, budgetPerHour: 5, now: () => now });
  const history = [{ role: 'user' as const, content: 'hello' }];
  // One prediction and its two precomputations: 3 requests.
  shadow.afterTurn('t', history);
  await settle(shadow, model);
  assert.deepEqual([model.made, shadow.stats.precomputed], [3, 2]);
  // 2 requests left: a prediction needs 3 (itself and a precomputation's two steps), so none is made.
  shadow.afterTurn('t', history);
  shadow.afterTurn('t', history);
  await settle(shadow, model);
  assert.equal(model.made, 3);
  assert.equal(shadow.stats.overBudget, 2);
  // A cached answer served saves the request it took.
  assert.equal((await shadow.lookup('t', 'What time is it'))?.text, 'answer to what time is it?');
  assert.deepEqual(shadow.requests, { spent: 3, saved: 1 });
  // An hour later the budget is back.
  now += 3600_001;
  shadow.afterTurn('t', history);
  await settle(shadow, model);
  assert.deepEqual([model.made, shadow.stats.precomputed], [6, 4]);
  shadow.close();
});

test('with a budget of 4, the second precomputation of a prediction is not started (its steps would not fit)', async () => {
  const model = countingModel();
  const shadow = workers(model, { budgetPerHour: 4 });
  shadow.afterTurn('t', [{ role: 'user', content: 'hello' }]);
  await settle(shadow, model);
  assert.ok(model.made <= 4, `${model.made} requests, budget 4`);
  assert.deepEqual([model.made, shadow.stats.precomputed, shadow.stats.overBudget], [2, 1, 1]);
  shadow.close();
});

test('threads whose cached answers expired or were never cached leave nothing behind', async () => {
  const model = countingModel();
  let now = 0;
  const shadow = workers(model, { budgetPerHour: 100, now: () => now });
  // A thousand threads ask once each (a burst of one-off conversations): nothing is kept for them.
  for (let i = 0; i < 1_000; i++) assert.equal(await shadow.lookup(`thread-${i}`, 'what time is it?'), undefined);
  assert.equal(shadow.threads, 0);
  // One thread gets its predictions precomputed; once they expire, its next request lets it go.
  shadow.afterTurn('thread-a', [{ role: 'user', content: 'hello' }]);
  await settle(shadow, model);
  assert.equal(shadow.threads, 1);
  now += 61_000;
  assert.equal(await shadow.lookup('thread-a', 'what time is it?'), undefined);
  assert.equal(shadow.threads, 0);
});
