// A new person on Telegram (against a fake Bot API): paired by the owner, their first chat starts
// with Titan's onboarding questions (the model is not asked), a review, "yes" keeps their answers;
// then a multi-step request becomes a goal the model pursues, its answer back in the chat.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decidePairing } from '../../agent/api.ts';
import { startAutonomy, startOnboarding } from '../../agent/services.ts';
import { toolCall } from '../support/model-double.ts';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram.ts';
import { until } from './fakes/server.ts';
import { codeIn, openChannelKernel, startChannels, type ChannelGateway, type ChannelKernel } from './support.ts';

const SECRET = 'webhook-secret-onboarding';
let harness: ChannelKernel;
let fake: FakeTelegram;
let channels: ChannelGateway;
const pursue = {
  title: 'count to two',
  steps: [1, 2].map((n) => ({ title: `say ${n}`, kind: 'tool', tool: 'echo', arguments: { text: `step ${n}` } })),
};

before(async () => {
  harness = await openChannelKernel();
  fake = await startFakeTelegram();
  channels = await startChannels(harness, {
    channels: ['telegram'],
    secrets: { TITAN_TELEGRAM_BOT_TOKEN: fake.token, TITAN_TELEGRAM_WEBHOOK_SECRET: SECRET },
    config: { apiUrls: { telegram: fake.url }, editIntervalMs: 20 },
    steps: [
      [...toolCall(0, 'call-goal', 'autonomy__pursue', pursue), { type: 'stop', reason: 'tool_use' }],
      [
        { type: 'text', text: 'Counted to two: the goal is done.' },
        { type: 'stop', reason: 'end_turn' },
      ],
    ],
  });
  startAutonomy(harness.kernel, channels.agent);
  startOnboarding(harness.kernel, channels.agent, { ownerId: 'ada' });
});
after(async () => {
  await channels.close();
  await fake.close();
  await harness.close();
});

let update = 100;
/** What the person sends, and the bot's last message once Titan has answered it. */
async function say(text: string): Promise<string> {
  const before = fake.sent.length;
  update += 1;
  assert.equal((await fake.webhook(channels.webhook('telegram'), fake.update({ updateId: update, text }), SECRET)).status, 200);
  await channels.runtime.idle();
  return (await until(() => (fake.sent.length > before ? fake.sent.at(-1) : undefined), `the answer to "${text}"`)).text;
}

test('a paired Telegram user is onboarded, then a multi-step request becomes a goal', async () => {
  const code = codeIn(await say('hi'));
  await decidePairing(harness.kernel.store, code, 'approved');

  assert.match(await say('hello, are you there?'), /five quick questions[\s\S]*\(1\/5\) Who are you/);
  assert.match(await say('Grace, a sailor'), /\(2\/5\)/);
  assert.match(await say('plan my next trip'), /\(3\/5\)/);
  assert.match(await say('short and friendly'), /\(4\/5\)/);
  assert.match(await say('ask me first'), /\(5\/5\)/);
  assert.match(await say('never book anything'), /USER\.md:\n- Who they are: Grace, a sailor/);
  assert.match(await say('yes'), /Saved/);
  assert.equal(channels.model.requests.length, 0, 'the model was not asked while onboarding');
  const kept = await harness.kernel.store.op('settings.get', { userId: 'telegram:4242', key: 'profile' });
  assert.match(kept?.value ?? '', /Tone they like: short and friendly/);

  assert.equal(await say('Count to two for me, step by step.'), 'Counted to two: the goal is done.');
  const { goals } = await harness.kernel.store.op('goals.list', { userId: 'telegram:4242' });
  assert.deepEqual(
    goals.map((g) => [g.title, g.status]),
    [['count to two', 'completed']],
  );
});
