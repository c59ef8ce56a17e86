// Discord end to end against a fake Discord: Ed25519-signed interactions, PING -> PONG, a slash
// command answered with a deferred response then the original edited as the answer grows
// (PATCH .../messages/@original), pairing, and the refusals.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startFakeDiscord, type FakeDiscord } from './fakes/discord.ts';
import { until } from './fakes/server.ts';
import { approveWithCli, codeIn, openChannelKernel, startChannels, turnsStarted, type ChannelGateway, type ChannelKernel } from './support.ts';

let harness: ChannelKernel;
let fake: FakeDiscord;
let channels: ChannelGateway;
const answer = ['Discord ', 'edits ', 'the original ', 'response.'];

before(async () => {
  harness = await openChannelKernel();
  fake = await startFakeDiscord();
  channels = await startChannels(harness, {
    channels: ['discord'],
    secrets: { TITAN_DISCORD_PUBLIC_KEY: fake.publicKey },
    config: { discordApiUrl: fake.url, editIntervalMs: 20 },
    steps: [answer.flatMap((text) => [{ wait: 60 }, { type: 'text' as const, text }]).concat([{ type: 'stop', reason: 'end_turn' } as never])],
  });
});
after(async () => {
  await channels.close();
  await fake.close();
  await harness.close();
});

test('PING is answered with PONG; a ping signed with another key is refused', async () => {
  const pong = await fake.deliver(channels.webhook('discord'), fake.ping());
  assert.equal(pong.status, 200);
  assert.deepEqual(pong.body, { type: 1 });
  const otherKey = generateKeyPairSync('ed25519').privateKey;
  const forged = await fake.deliver(channels.webhook('discord'), fake.ping(), { key: otherKey });
  assert.equal(forged.status, 401);
  assert.equal(forged.body.error.code, 'TITAN_E_CHANNEL_SIGNATURE');
});

test('a command from an unknown user is deferred and answered with a pairing code; after approval the original response grows into the answer', async () => {
  const first = await fake.deliver(channels.webhook('discord'), fake.command({ id: '1800000000000000001', text: 'hello' }));
  assert.deepEqual(first.body, { type: 5 }, 'a deferred response');
  const pairing = await until(() => fake.messages.find((m) => m.content.includes('pairing code')), 'the pairing reply');
  assert.equal(pairing.original, true, 'the pairing reply is the edited original response');
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), 0);
  await approveWithCli(harness.home, codeIn(pairing.content));

  const second = await fake.deliver(channels.webhook('discord'), fake.command({ id: '1800000000000000002', text: 'what now?' }));
  assert.deepEqual(second.body, { type: 5 });
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), 1);
  const reply = fake.messages.at(-1)!;
  assert.equal(reply.original, true);
  assert.equal(reply.content, answer.join(''));
  assert.ok(reply.edits.length >= 1, 'the original response was edited as the answer grew');
  assert.ok(fake.requests.some((r) => r.method === 'PATCH' && r.path.endsWith('/messages/@original')));
});

test('a replayed interaction runs no second turn; a stale timestamp, a forged signature and a malformed body are refused with codes', async () => {
  const turns = turnsStarted(harness.events);
  const replay = await fake.deliver(channels.webhook('discord'), fake.command({ id: '1800000000000000002', text: 'what now?' }));
  assert.equal(replay.status, 200);
  assert.equal(replay.headers.get('x-titan-replay'), 'TITAN_E_CHANNEL_REPLAY');
  const stale = await fake.deliver(channels.webhook('discord'), fake.command({ id: '1800000000000000003', text: 'old' }), {
    timestamp: Math.floor(Date.now() / 1000) - 600,
  });
  assert.equal(stale.status, 401);
  assert.equal(stale.body.error.code, 'TITAN_E_CHANNEL_SIGNATURE');
  const forged = await fake.deliver(channels.webhook('discord'), fake.command({ id: '1800000000000000004', text: 'forged' }), { signature: 'ab'.repeat(64) });
  assert.equal(forged.status, 401);
  const malformed = await fake.deliver(channels.webhook('discord'), '{"type": 2, "id": ');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error.code, 'TITAN_E_CHANNEL_PAYLOAD');
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), turns);
});

test('an attachment reaches the agent as a placeholder; the user is asked to resend as text and the answer follows', async () => {
  await fake.deliver(channels.webhook('discord'), fake.command({ id: '1800000000000000005', attachment: true }));
  await channels.runtime.idle();
  const token = 'aW50ZXJhY3Rpb246' + '1800000000000000005';
  const replies = fake.messages.filter((m) => m.token === token);
  assert.ok(/cannot read an attachment/.test(replies[0].content) && /again as text/.test(replies[0].content), replies[0].content);
  assert.equal(replies.length, 2, 'the answer came as a follow-up');
  assert.ok(JSON.stringify(channels.model.requests.at(-1)).includes('[the user sent an attachment, which this channel cannot read]'));
});
