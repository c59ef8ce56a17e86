// Slack end to end against a fake Slack: signed Events API requests, url_verification, pairing
// through `titan pairing approve`, the answer posted then grown with chat.update; forged, stale,
// replayed (a retry of a handled event), malformed and non-text events.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeSlack, type FakeSlack } from './fakes/slack.ts';
import { until } from './fakes/server.ts';
import { approveWithCli, codeIn, openChannelKernel, startChannels, turnsStarted, type ChannelGateway, type ChannelKernel } from './support.ts';
import { runTitan } from '../support/cli.ts';

let harness: ChannelKernel;
let fake: FakeSlack;
let channels: ChannelGateway;
const answer = ['Slack ', 'answers ', 'grow ', 'in place.'];

before(async () => {
  harness = await openChannelKernel();
  fake = await startFakeSlack();
  channels = await startChannels(harness, {
    channels: ['slack'],
    secrets: { TITAN_SLACK_BOT_TOKEN: fake.botToken, TITAN_SLACK_SIGNING_SECRET: fake.signingSecret },
    config: { slackApiUrl: fake.url, editIntervalMs: 20 },
    steps: [answer.flatMap((text) => [{ wait: 60 }, { type: 'text' as const, text }]).concat([{ type: 'stop', reason: 'end_turn' } as never])],
  });
});
after(async () => {
  await channels.close();
  await fake.close();
  await harness.close();
});

test('url_verification is answered with its challenge when signed, refused when not', async () => {
  const body = { token: 'unused', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' };
  const ok = await fake.deliver(channels.webhook('slack'), body);
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { challenge: body.challenge });
  const forged = await fake.deliver(channels.webhook('slack'), body, { signature: 'v0=0000' });
  assert.equal(forged.status, 401);
  assert.equal(forged.body.error.code, 'TITAN_E_CHANNEL_SIGNATURE');
});

test('an unknown sender is paired by code; after `titan pairing approve` the answer is posted and updated as it grows', async () => {
  assert.equal((await fake.deliver(channels.webhook('slack'), fake.messageEvent({ eventId: 'Ev001', text: 'hello titan' }))).status, 200);
  const pairing = await until(() => fake.sent.find((m) => m.text.includes('pairing code')), 'the pairing reply');
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), 0);
  await approveWithCli(harness.home, codeIn(pairing.text));

  assert.equal((await fake.deliver(channels.webhook('slack'), fake.messageEvent({ eventId: 'Ev002', text: 'how are you?' }))).status, 200);
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), 1);
  const reply = fake.sent.at(-1)!;
  assert.equal(reply.channel, 'D0ADA');
  assert.equal(reply.text, answer.join(''));
  assert.ok(reply.edits.length >= 1, 'chat.update was called as the answer grew');
});

test("the bot's own messages and other bots' are ignored; a retry of a handled event runs no second turn", async () => {
  const turns = turnsStarted(harness.events);
  const sent = fake.sent.length;
  await fake.deliver(channels.webhook('slack'), fake.messageEvent({ eventId: 'Ev003', user: fake.botUserId, text: 'my own words' }));
  await fake.deliver(
    channels.webhook('slack'),
    fake.messageEvent({ eventId: 'Ev004', text: 'a bot speaking', extra: { bot_id: 'B0999', subtype: 'bot_message' } }),
  );
  const retry = await fake.deliver(channels.webhook('slack'), fake.messageEvent({ eventId: 'Ev002', text: 'how are you?' }), { retryNum: 1 });
  assert.equal(retry.status, 200);
  assert.equal(retry.headers.get('x-titan-replay'), 'TITAN_E_CHANNEL_REPLAY');
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), turns);
  assert.equal(fake.sent.length, sent);
});

test('a request signed more than five minutes ago, a forged signature and a malformed body are refused with codes and change nothing', async () => {
  const turns = turnsStarted(harness.events);
  const stale = await fake.deliver(channels.webhook('slack'), fake.messageEvent({ eventId: 'Ev010', text: 'old' }), {
    timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
  });
  assert.equal(stale.status, 401);
  assert.equal(stale.body.error.code, 'TITAN_E_CHANNEL_SIGNATURE');
  const forged = await fake.deliver(channels.webhook('slack'), fake.messageEvent({ eventId: 'Ev011', text: 'forged' }), { signature: `v0=${'ab'.repeat(32)}` });
  assert.equal(forged.status, 401);
  const malformed = await fake.deliver(channels.webhook('slack'), '{"type":"event_callback","event_id":');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error.code, 'TITAN_E_CHANNEL_PAYLOAD');
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), turns);
  for (const eventId of ['Ev010', 'Ev011']) {
    assert.equal((await harness.kernel.store.op('channels.event.claim', { channel: 'slack', eventId })).claimed, true, `${eventId} was not recorded`);
  }
});

test('a shared file reaches the agent as a placeholder and the sender is asked to resend as text', async () => {
  const sent = fake.sent.length;
  const file = fake.messageEvent({
    eventId: 'Ev020',
    text: '',
    extra: { subtype: 'file_share', files: [{ id: 'F1', name: 'memo.m4a', mimetype: 'audio/mp4', filetype: 'm4a' }] },
  });
  assert.equal((await fake.deliver(channels.webhook('slack'), file)).status, 200);
  await channels.runtime.idle();
  assert.ok(fake.sent.slice(sent).some((m) => /cannot read an audio file/.test(m.text) && /again as text/.test(m.text)));
  assert.ok(JSON.stringify(channels.model.requests.at(-1)).includes('[the user sent an audio file, which this channel cannot read]'));
});

test('a denied sender gets no turn and no further reply', async () => {
  const turns = turnsStarted(harness.events);
  await fake.deliver(channels.webhook('slack'), fake.messageEvent({ eventId: 'Ev030', user: 'U0BOB', channel: 'D0BOB', text: 'let me in' }));
  const asked = await until(() => fake.sent.find((m) => m.channel === 'D0BOB' && m.text.includes('pairing code')), 'the pairing reply to Bob');
  const denied = await runTitan(['pairing', 'deny', codeIn(asked.text)], harness.home);
  assert.equal(denied.code, 0, denied.stderr);
  assert.match(denied.stdout, /denied slack sender U0BOB/);
  const sent = fake.sent.length;
  await fake.deliver(channels.webhook('slack'), fake.messageEvent({ eventId: 'Ev031', user: 'U0BOB', channel: 'D0BOB', text: 'please?' }));
  await channels.runtime.idle();
  assert.equal(fake.sent.length, sent);
  assert.equal(turnsStarted(harness.events), turns);
  const again = await runTitan(['pairing', 'approve', codeIn(asked.text)], harness.home);
  assert.notEqual(again.code, 0, 'a decided code cannot be decided again');
  assert.match(again.stderr + again.stdout, /TITAN_E_NOT_FOUND/);
});
