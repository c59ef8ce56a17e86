// WhatsApp end to end against a fake Cloud API: the verification handshake, notifications signed
// with X-Hub-Signature-256, pairing, the final answer sent once (WhatsApp cannot edit), non-text
// messages as placeholders with a "resend as text" reply, and the refusals.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startFakeWhatsApp, type FakeWhatsApp } from './fakes/whatsapp.ts';
import { until } from './fakes/server.ts';
import { approveWithCli, codeIn, openChannelKernel, startChannels, turnsStarted, type ChannelGateway, type ChannelKernel } from './support.ts';

let harness: ChannelKernel;
let fake: FakeWhatsApp;
let channels: ChannelGateway;
const answer = ['WhatsApp ', 'gets ', 'the final ', 'text only.'];

before(async () => {
  harness = await openChannelKernel();
  fake = await startFakeWhatsApp();
  channels = await startChannels(harness, {
    channels: ['whatsapp'],
    secrets: { TITAN_WHATSAPP_ACCESS_TOKEN: fake.accessToken, TITAN_WHATSAPP_APP_SECRET: fake.appSecret, TITAN_WHATSAPP_VERIFY_TOKEN: fake.verifyToken },
    config: { whatsappApiUrl: fake.url, editIntervalMs: 20 },
    steps: [answer.flatMap((text) => [{ wait: 40 }, { type: 'text' as const, text }]).concat([{ type: 'stop', reason: 'end_turn' } as never])],
  });
});
after(async () => {
  await channels.close();
  await fake.close();
  await harness.close();
});

test('the verification handshake echoes the challenge with the right verify token and is refused with a wrong one', async () => {
  const ok = await fake.handshake(channels.webhook('whatsapp'), fake.verifyToken, '1158201444');
  assert.equal(ok.status, 200);
  assert.equal(ok.text, '1158201444');
  const wrong = await fake.handshake(channels.webhook('whatsapp'), 'not-the-token', '1158201444');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error.code, 'TITAN_E_CHANNEL_SIGNATURE');
  assert.ok(!wrong.text.includes('1158201444'));
});

test('an unknown sender is paired by code; after `titan pairing approve` the final answer is sent once, never edited', async () => {
  assert.equal((await fake.deliver(channels.webhook('whatsapp'), fake.notification({ id: 'wamid.IN1', text: 'hi' }))).status, 200);
  const pairing = await until(() => fake.sent.find((m) => m.text.includes('pairing code')), 'the pairing reply');
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), 0);
  await approveWithCli(harness.home, codeIn(pairing.text));

  const sent = fake.sent.length;
  assert.equal((await fake.deliver(channels.webhook('whatsapp'), fake.notification({ id: 'wamid.IN2', text: 'tell me something' }))).status, 200);
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), 1);
  assert.deepEqual(
    fake.sent.slice(sent).map((m) => [m.to, m.text]),
    [['15551234567', answer.join('')]],
  );
});

test('an audio message reaches the agent as a placeholder and the sender is asked to resend as text', async () => {
  const sent = fake.sent.length;
  const audio = fake.notification({
    id: 'wamid.IN3',
    type: 'audio',
    extra: { audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'abc', id: '1234', voice: true } },
  });
  await fake.deliver(channels.webhook('whatsapp'), audio);
  await channels.runtime.idle();
  const replies = fake.sent.slice(sent).map((m) => m.text);
  assert.ok(
    replies.some((t) => /cannot read an audio message/.test(t) && /again as text/.test(t)),
    replies.join(' | '),
  );
  assert.ok(JSON.stringify(channels.model.requests.at(-1)).includes('[the user sent an audio message, which this channel cannot read]'));
});

test('a forged signature, a replayed message and a malformed body change nothing', async () => {
  const turns = turnsStarted(harness.events);
  const sent = fake.sent.length;
  const forged = await fake.deliver(channels.webhook('whatsapp'), fake.notification({ id: 'wamid.IN9', text: 'forged' }), {
    signature: `sha256=${'0'.repeat(64)}`,
  });
  assert.equal(forged.status, 401);
  assert.equal(forged.body.error.code, 'TITAN_E_CHANNEL_SIGNATURE');
  const unsigned = await fake.deliver(channels.webhook('whatsapp'), fake.notification({ id: 'wamid.IN9', text: 'forged' }), { signature: '' });
  assert.equal(unsigned.status, 401);
  const replay = await fake.deliver(channels.webhook('whatsapp'), fake.notification({ id: 'wamid.IN2', text: 'tell me something' }));
  assert.equal(replay.status, 200);
  assert.equal(replay.headers.get('x-titan-replay'), 'TITAN_E_CHANNEL_REPLAY');
  const malformed = await fake.deliver(channels.webhook('whatsapp'), {
    object: 'whatsapp_business_account',
    entry: [{ changes: [{ field: 'messages', value: { messages: [{ type: 'text' }] } }] }],
  });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error.code, 'TITAN_E_CHANNEL_PAYLOAD');
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), turns);
  assert.equal(fake.sent.length, sent);
  assert.equal((await harness.kernel.store.op('channels.event.claim', { channel: 'whatsapp', eventId: 'wamid.IN9' })).claimed, true);
});

test('/metrics counts channel events by outcome', async () => {
  const token = (await readFile(path.join(harness.home, 'gateway-token'), 'utf8')).trim();
  const text = await (await fetch(`${channels.gateway.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  for (const outcome of ['received', 'replayed', 'refused', 'malformed', 'unpaired', 'unsupported', 'answered']) {
    assert.match(text, new RegExp(`titan_channel_events_total\\{channel="whatsapp",outcome="${outcome}"\\} [1-9]`), outcome);
  }
});

test('stopping Titan while an answer is being written ends it in the chat instead of hanging', async () => {
  await channels.close();
  channels = await startChannels(harness, {
    channels: ['whatsapp'],
    secrets: { TITAN_WHATSAPP_ACCESS_TOKEN: fake.accessToken, TITAN_WHATSAPP_APP_SECRET: fake.appSecret, TITAN_WHATSAPP_VERIFY_TOKEN: fake.verifyToken },
    config: { whatsappApiUrl: fake.url },
    steps: [[{ type: 'text', text: 'I was saying' }, { wait: 600_000 }, { type: 'stop', reason: 'end_turn' }]],
  });
  const turns = turnsStarted(harness.events);
  await fake.deliver(channels.webhook('whatsapp'), fake.notification({ id: 'wamid.IN40', text: 'a long question' }));
  await until(() => harness.events.some((e) => e.type === 'text' && e.text === 'I was saying') && turnsStarted(harness.events) > turns, 'the answer to start');
  await channels.close();
  assert.equal(fake.sent.at(-1)!.text, 'I was saying\n\n(the answer was interrupted)');
  channels = await startChannels(harness, {
    channels: ['whatsapp'],
    secrets: { TITAN_WHATSAPP_ACCESS_TOKEN: fake.accessToken, TITAN_WHATSAPP_APP_SECRET: fake.appSecret, TITAN_WHATSAPP_VERIFY_TOKEN: fake.verifyToken },
    config: { whatsappApiUrl: fake.url },
  });
});
