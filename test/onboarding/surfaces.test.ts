// Onboarding by surface, through the real gateway: a script posting to a thread with its token and
// a client of the OpenAI-compatible /v1 route get the model's answer on their user's first
// message; the same user typing in a chat client (origin "person", as the web UI and titan chat
// send it) is asked the onboarding questions.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startOnboarding } from '../../agent/services.ts';
import { openGateway, openHarness, type Harness, type TestGateway } from '../gateway/support.ts';

let harness: Harness;
let gw: TestGateway;
const answer = (text: string) => [
  { type: 'text' as const, text },
  { type: 'stop' as const, reason: 'end_turn' },
];

before(async () => {
  harness = await openHarness();
  gw = await openGateway(harness, { steps: [answer('model answer for the script'), answer('model answer for /v1')] });
  startOnboarding(harness.kernel, gw.agent, { ownerId: 'ada' });
});
after(async () => {
  await gw?.close();
  await harness?.close();
});

/** Posts a message to a new thread of the owner's and waits for the turn's answer. */
async function post(body: Record<string, unknown>): Promise<string> {
  const thread = await gw.call('POST', '/api/threads', {});
  const sent = await gw.call('POST', `/api/threads/${thread.body.id}/messages`, body);
  assert.equal(sent.status, 202, JSON.stringify(sent.body));
  const run = gw.agent.running().find((r) => r.turnId === sent.body.turnId);
  if (run) await run.done;
  const { body: page } = await gw.call('GET', `/api/threads/${thread.body.id}/messages`);
  return page.messages.at(-1).content;
}

test('a script and a /v1 client get the model; a person in a chat client is onboarded', async () => {
  assert.equal(await post({ text: 'summarise the logs' }), 'model answer for the script');

  const v1 = await fetch(`${gw.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'titan', messages: [{ role: 'user', content: 'hello from a client' }] }),
  });
  const completion = (await v1.json()) as { choices: Array<{ message: { content: string } }> };
  assert.equal(completion.choices[0].message.content, 'model answer for /v1');

  assert.match(await post({ text: 'hi, it is Ada', origin: 'person' }), /\(1\/5\) Who are you/);
  const bad = await gw.call('POST', `/api/threads/${(await gw.call('POST', '/api/threads', {})).body.id}/messages`, { text: 'x', origin: 'robot' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'TITAN_E_INVALID_REQUEST');
});
