// Telegram end to end against a fake Bot API: webhook and getUpdates polling, pairing through
// `titan pairing approve`, the answer streamed as sendMessage then editMessageText, and every
// bad input refused with a code and no turn.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram.ts';
import { until } from './fakes/server.ts';
import { approveWithCli, codeIn, openChannelKernel, startChannels, turnsStarted, type ChannelGateway, type ChannelKernel } from './support.ts';
import { runTitan } from '../support/cli.ts';

const SECRET = 'webhook-secret-123';
let harness: ChannelKernel;
let fake: FakeTelegram;
let channels: ChannelGateway;
const answer = ['Hello ', 'Ada, ', 'this answer ', 'grows in ', 'pieces.'];

before(async () => {
  harness = await openChannelKernel();
  fake = await startFakeTelegram();
  channels = await startChannels(harness, {
    channels: ['telegram'],
    secrets: { TITAN_TELEGRAM_BOT_TOKEN: fake.token, TITAN_TELEGRAM_WEBHOOK_SECRET: SECRET },
    config: { telegramApiUrl: fake.url, editIntervalMs: 20, maxBodyBytes: 64 * 1024 },
    steps: [answer.flatMap((text) => [{ wait: 60 }, { type: 'text' as const, text }]).concat([{ type: 'stop', reason: 'end_turn' } as never])],
  });
});
after(async () => {
  await channels.close();
  await fake.close();
  await harness.close();
});

test('an unknown sender gets a pairing code and nothing reaches the agent; approved with `titan pairing approve`, their next message is answered as it grows', async () => {
  const first = await fake.webhook(channels.webhook('telegram'), fake.update({ updateId: 1, text: 'hi there' }), SECRET);
  assert.equal(first.status, 200);
  const pairingReply = await until(() => fake.sent.find((m) => m.text.includes('pairing code')), 'the pairing reply');
  assert.equal((await fake.webhook(channels.webhook('telegram'), fake.update({ updateId: 11, text: 'hello??' }), SECRET)).status, 200);
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), 0, 'no turn for an unpaired sender');
  assert.equal(fake.sent.filter((m) => m.text.includes('pairing code')).length, 1, 'one pairing reply, not one per message');
  const listed = await runTitan(['pairing', 'list', '--json'], harness.home);
  assert.deepEqual(
    JSON.parse(listed.stdout).map((p: { code: string; state: string }) => [p.code, p.state]),
    [[codeIn(pairingReply.text), 'pending']],
  );

  const pairing = await approveWithCli(harness.home, codeIn(pairingReply.text));
  assert.deepEqual([pairing.channel, pairing.sender_id, pairing.state], ['telegram', '4242', 'approved']);

  const second = await fake.webhook(channels.webhook('telegram'), fake.update({ updateId: 2, text: 'what do you say?' }), SECRET);
  assert.equal(second.status, 200);
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), 1);
  const reply = fake.sent.at(-1)!;
  assert.equal(reply.text, answer.join(''), 'the final edit carries the whole answer');
  assert.ok(reply.edits.length >= 1, 'the message was edited as the answer grew');
  const firstSend = fake.requests.filter((r) => r.path.endsWith('/sendMessage')).at(-1)!;
  assert.ok(answer.join('').startsWith(firstSend.json.text) && firstSend.json.text !== answer.join(''), 'the first message held the start of the answer');
  const lastModelRequest = JSON.stringify(channels.model.requests.at(-1));
  assert.ok(lastModelRequest.includes('what do you say?'));
  assert.ok(!lastModelRequest.includes('hi there'), 'the message sent before pairing never reached the agent');
});

test('a forged secret token is refused with 401 and a code; nothing is stored and no turn runs', async () => {
  const before = turnsStarted(harness.events);
  const forged = await fake.webhook(channels.webhook('telegram'), fake.update({ updateId: 50, text: 'forged' }), 'wrong-secret');
  assert.equal(forged.status, 401);
  assert.equal(forged.body.error.code, 'TITAN_E_CHANNEL_SIGNATURE');
  const missing = await fake.webhook(channels.webhook('telegram'), fake.update({ updateId: 50, text: 'forged' }));
  assert.equal(missing.status, 401);
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), before);
  const claim = await harness.kernel.store.op('channels.event.claim', { channel: 'telegram', eventId: 'update:50' });
  assert.equal(claim.claimed, true, 'the refused update was not recorded as handled');
});

test('a replayed update is acknowledged without a second turn', async () => {
  const before = turnsStarted(harness.events);
  const sentBefore = fake.sent.length;
  const replay = await fake.webhook(channels.webhook('telegram'), fake.update({ updateId: 2, text: 'what do you say?' }), SECRET);
  assert.equal(replay.status, 200);
  assert.equal(replay.headers.get('x-titan-replay'), 'TITAN_E_CHANNEL_REPLAY');
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), before);
  assert.equal(fake.sent.length, sentBefore);
});

test('malformed and oversized bodies are refused with codes', async () => {
  const notJson = await fake.webhook(channels.webhook('telegram'), '{"update_id": 3, "message": ', SECRET);
  assert.equal(notJson.status, 400);
  assert.equal(notJson.body.error.code, 'TITAN_E_CHANNEL_PAYLOAD');
  const noId = await fake.webhook(channels.webhook('telegram'), { message: { text: 'x' } }, SECRET);
  assert.equal(noId.status, 400);
  assert.equal(noId.body.error.code, 'TITAN_E_CHANNEL_PAYLOAD');
  const huge = await fake.webhook(channels.webhook('telegram'), fake.update({ updateId: 4, text: 'x'.repeat(70 * 1024) }), SECRET);
  assert.equal(huge.status, 413);
  assert.equal(huge.body.error.code, 'TITAN_E_BODY_TOO_LARGE');
  const unknown = await fake.webhook(channels.webhook('telegram').replace('telegram', 'signal'), {}, SECRET);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'TITAN_E_CHANNEL_UNKNOWN');
});

test('a photo reaches the agent as an explicit placeholder and the sender is asked to resend as text', async () => {
  const before = fake.sent.length;
  const photo = fake.update({
    updateId: 5,
    extra: { photo: [{ file_id: 'AgAD', file_unique_id: 'u1', width: 90, height: 90, file_size: 1200 }], caption: 'look' },
  });
  assert.equal((await fake.webhook(channels.webhook('telegram'), photo, SECRET)).status, 200);
  await channels.runtime.idle();
  const replies = fake.sent.slice(before).map((m) => m.text);
  assert.ok(
    replies.some((t) => /cannot read a photo/.test(t) && /again as text/.test(t)),
    replies.join(' | '),
  );
  assert.ok(JSON.stringify(channels.model.requests.at(-1)).includes('[the user sent a photo, which this channel cannot read]'));
});

test('an answer longer than a Telegram message continues in a second message', async () => {
  const long = `${'word '.repeat(1000)}\n${'more '.repeat(200)}`;
  await channels.close();
  channels = await startChannels(harness, {
    channels: ['telegram'],
    secrets: { TITAN_TELEGRAM_BOT_TOKEN: fake.token, TITAN_TELEGRAM_WEBHOOK_SECRET: SECRET },
    config: { telegramApiUrl: fake.url, editIntervalMs: 20 },
    steps: [
      [
        { type: 'text', text: long },
        { type: 'stop', reason: 'end_turn' },
      ],
    ],
  });
  const before = fake.sent.length;
  assert.equal((await fake.webhook(channels.webhook('telegram'), fake.update({ updateId: 6, text: 'tell me a lot' }), SECRET)).status, 200);
  await channels.runtime.idle();
  const parts = fake.sent.slice(before);
  assert.equal(parts.length, 2);
  assert.ok(parts.every((p) => p.text.length <= 4096));
  assert.equal(parts.map((p) => p.text).join(''), long);
});

test('getUpdates polling answers each update once, continuing from the stored offset after a restart', async () => {
  await channels.close();
  const polling = { telegramApiUrl: fake.url, editIntervalMs: 20, telegramMode: 'polling' as const };
  const secrets = { TITAN_TELEGRAM_BOT_TOKEN: fake.token };
  channels = await startChannels(harness, {
    channels: ['telegram'],
    secrets,
    config: polling,
    steps: [
      [
        { type: 'text', text: 'polled answer one' },
        { type: 'stop', reason: 'end_turn' },
      ],
    ],
  });
  const turns = turnsStarted(harness.events);
  const webhook = await fake.webhook(channels.webhook('telegram'), fake.update({ updateId: 99, text: 'x' }), SECRET);
  assert.equal(webhook.status, 404, 'in polling mode the webhook is off');

  fake.queueUpdate(fake.update({ updateId: 100, text: 'first polled message' }));
  await until(() => fake.sent.find((m) => m.text === 'polled answer one'), 'the answer to the polled update');
  await channels.close();
  assert.deepEqual(await harness.kernel.store.op('channels.cursor.get', { channel: 'telegram' }), { value: '101' });

  channels = await startChannels(harness, {
    channels: ['telegram'],
    secrets,
    config: polling,
    steps: [
      [
        { type: 'text', text: 'polled answer two' },
        { type: 'stop', reason: 'end_turn' },
      ],
    ],
  });
  fake.queueUpdate(fake.update({ updateId: 101, text: 'second polled message' }));
  await until(() => fake.sent.find((m) => m.text === 'polled answer two'), 'the answer after the restart');
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), turns + 2, 'two updates, two turns: none answered twice');
  assert.deepEqual(
    fake.delivered.filter((id) => id === 100),
    [100],
    'update 100 was fetched once',
  );

  // An update the channel cannot read is skipped; the ones after it are still answered.
  fake.queueUpdate({ update_id: 102, message: { message_id: 1, from: { id: 4242, is_bot: false, first_name: 'Ada' }, date: 0, text: 'no chat' } });
  fake.queueUpdate(fake.update({ updateId: 103, text: 'after the bad one' }));
  await until(async () => (await harness.kernel.store.op('channels.cursor.get', { channel: 'telegram' })).value === '104', 'the offset past both');
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), turns + 3);
});
