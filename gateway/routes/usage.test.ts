// The Usage page's API over real turns: a turn that used a tool made two model requests and spent
// the tokens of both; the totals and the share answered without the model follow; the owner's only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openGateway, openHarness, type Harness } from '../../test/gateway/support.ts';

let harness: Harness;
before(async () => {
  harness = await openHarness();
});
after(() => harness.close());

test('tokens and model requests of every request of a turn are counted for its day', async (t) => {
  const gw = await openGateway(harness, {
    steps: [
      [
        { type: 'tool_call', index: 0, id: 'call-1', name: 'clock', arguments_delta: '{}' },
        { type: 'usage', input_tokens: 100, output_tokens: 10 },
        { type: 'stop', reason: 'tool_calls' },
      ],
      [
        { type: 'text', text: 'It is late.' },
        { type: 'usage', input_tokens: 150, output_tokens: 20 },
        { type: 'stop', reason: 'stop' },
      ],
      [
        { type: 'text', text: 'Hello.' },
        { type: 'usage', input_tokens: 40, output_tokens: 4 },
        { type: 'stop', reason: 'stop' },
      ],
    ],
  });
  t.after(() => gw.close());
  const thread = await gw.agent.createThread('ada');
  for (const text of ['what time is it?', 'hello']) {
    const { run } = await gw.agent.send('ada', thread.id, text);
    assert.equal((await run.done).state, 'completed');
  }

  const offset = 120;
  const { status, body } = await gw.call('GET', `/api/usage?days=7&offsetMinutes=${offset}`);
  assert.equal(status, 200);
  assert.equal(body.days.length, 7);
  const today = body.days.at(-1);
  assert.equal(today.day, new Date(Date.now() + offset * 60_000).toISOString().slice(0, 10));
  assert.deepEqual(
    { turns: today.turns, model: today.model, modelRequests: today.modelRequests, inputTokens: today.inputTokens, outputTokens: today.outputTokens },
    { turns: 2, model: 2, modelRequests: 3, inputTokens: 290, outputTokens: 34 },
  );
  assert.equal(body.total.modelRequests, 3);
  assert.equal(body.avoidedShare, 0);

  const bob = await gw.gateway.deps.tokens.create('bob');
  assert.equal((await gw.call('GET', '/api/usage', undefined, bob)).status, 403);
  assert.equal((await gw.call('GET', '/api/usage?days=1000')).status, 400);
});
