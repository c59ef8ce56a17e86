// The channel components on their own, through the kernel: what each platform sends that is not a
// person writing (edits, statuses, bot posts, autocomplete) yields no message, and what each one
// encodes names secrets only as {{secret:NAME}} for the host to fill in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Kernel } from '../../kernel/api.ts';
import { openHarness, type Harness } from '../../test/gateway/support.ts';

let harness: Harness;
let kernel: Kernel;
before(async () => {
  harness = await openHarness();
  kernel = harness.kernel;
});
after(() => harness.close());

type Inbound = { messagesJson: string; response: { status: number; headers: Array<[string, string]>; body: Uint8Array } };
const decode = async (channel: string, body: object, headers: Array<[string, string]>, secretHeaders: Array<[string, string]>) =>
  (await kernel.call('channel', channel, 'decode-inbound', [
    { method: 'POST', path: '/', headers, body: Buffer.from(JSON.stringify(body)) },
    secretHeaders,
  ])) as Inbound;
const messages = (inbound: Inbound) => (JSON.parse(inbound.messagesJson) as { messages: unknown[] }).messages;
const now = () => String(Math.floor(Date.now() / 1000));

test("Telegram: an edited message and a bot's message are acknowledged without a message", async () => {
  const valid: Array<[string, string]> = [['x-titan-secret-token-valid', 'true']];
  const edited = await decode(
    'telegram',
    { update_id: 1, edited_message: { message_id: 1, chat: { id: 1, type: 'private' }, from: { id: 1, is_bot: false }, text: 'x' } },
    [],
    valid,
  );
  assert.deepEqual([edited.response.status, messages(edited)], [200, []]);
  const bot = await decode(
    'telegram',
    { update_id: 2, message: { message_id: 2, chat: { id: 1, type: 'group' }, from: { id: 9, is_bot: true }, text: 'x' } },
    [],
    valid,
  );
  assert.deepEqual(messages(bot), []);
});

test('Slack: an edited message, a join and a retry header are told apart; event_callback of another type is acknowledged', async () => {
  const signed = (_body: object): [Array<[string, string]>, Array<[string, string]>] => [
    [
      ['x-slack-signature', 'v0=ok'],
      ['x-slack-request-timestamp', now()],
    ],
    [['x-titan-expected-signature', 'v0=ok']],
  ];
  const envelope = (event: object) => ({
    type: 'event_callback',
    event_id: 'Ev1',
    authorizations: [{ user_id: 'UBOT' }],
    event: { channel: 'C1', ts: '1.1', ...event },
  });
  for (const event of [
    { type: 'message', subtype: 'message_changed', message: { text: 'x' } },
    { type: 'message', subtype: 'channel_join', user: 'U1', text: 'joined' },
    { type: 'reaction_added', user: 'U1' },
  ]) {
    assert.deepEqual(messages(await decode('slack', envelope(event), ...signed(envelope(event)))), [], JSON.stringify(event));
  }
  const [headers, secrets] = signed({});
  const retried = await decode(
    'slack',
    envelope({ type: 'message', user: 'U1', text: 'hi', channel_type: 'im' }),
    [...headers, ['x-slack-retry-num', '2']],
    secrets,
  );
  assert.deepEqual(messages(retried), [{ eventId: 'Ev1', chatId: 'C1', senderId: 'U1', direct: true, context: { channel: 'C1' }, retry: 2, text: 'hi' }]);
});

test('Discord: autocomplete gets empty choices and a button press a deferred update, neither a message', async () => {
  const signed: [Array<[string, string]>, Array<[string, string]>] = [
    [
      ['x-signature-ed25519', 'ab'.repeat(64)],
      ['x-signature-timestamp', now()],
    ],
    [['x-titan-signature-valid', 'true']],
  ];
  const autocomplete = await decode('discord', { id: '1', type: 4, token: 't', application_id: 'a', data: { name: 'ask' } }, ...signed);
  assert.deepEqual([JSON.parse(Buffer.from(autocomplete.response.body).toString()), messages(autocomplete)], [{ type: 8, data: { choices: [] } }, []]);
  const button = await decode('discord', { id: '2', type: 3, token: 't', application_id: 'a', data: { custom_id: 'x' } }, ...signed);
  assert.deepEqual([JSON.parse(Buffer.from(button.response.body).toString()), messages(button)], [{ type: 6 }, []]);
});

test('WhatsApp: delivery statuses and reactions are acknowledged without a message; a button reply is text', async () => {
  const body = (value: object) => ({
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: 'P1' }, ...value } }] }],
  });
  const signed: [Array<[string, string]>, Array<[string, string]>] = [[['x-hub-signature-256', 'sha256=ok']], [['x-titan-expected-signature', 'sha256=ok']]];
  const statuses = await decode('whatsapp', body({ statuses: [{ id: 'wamid.1', status: 'delivered', recipient_id: '1' }] }), ...signed);
  assert.deepEqual([statuses.response.status, messages(statuses)], [200, []]);
  const reaction = await decode(
    'whatsapp',
    body({ messages: [{ from: '1', id: 'wamid.2', type: 'reaction', reaction: { message_id: 'wamid.1', emoji: '👍' } }] }),
    ...signed,
  );
  assert.deepEqual(messages(reaction), []);
  const button = await decode(
    'whatsapp',
    body({
      messages: [{ from: '1', id: 'wamid.3', type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'b', title: 'Yes please' } } }],
    }),
    ...signed,
  );
  assert.equal((messages(button)[0] as { text: string }).text, 'Yes please');
});

test('outbound requests name secrets for the host to fill in and never carry them', async () => {
  const encode = async (channel: string, reply: object) =>
    (await kernel.call('channel', channel, 'encode-outbound', [JSON.stringify(reply)])) as Array<{
      method: string;
      path: string;
      headers: Array<[string, string]>;
    }>;
  const [telegram] = await encode('telegram', { op: 'send', context: { chatId: 1 }, text: 'hi', part: 0 });
  assert.deepEqual([telegram.method, telegram.path], ['POST', '/bot{{secret:bot-token}}/sendMessage']);
  const [slack] = await encode('slack', { op: 'edit', context: { channel: 'C1' }, text: 'hi', part: 0, messageId: '1.2' });
  assert.deepEqual([slack.path, slack.headers.find(([k]) => k === 'authorization')], ['/chat.update', ['authorization', 'Bearer {{secret:bot-token}}']]);
  const [discord] = await encode('discord', { op: 'send', context: { applicationId: 'A', token: 'T' }, text: 'more', part: 1 });
  assert.deepEqual([discord.method, discord.path], ['POST', '/webhooks/A/T?wait=true']);
  await assert.rejects(encode('whatsapp', { op: 'edit', context: { phoneNumberId: 'P', to: '1' }, text: 'x', part: 0, messageId: 'm' }), {
    code: 'TITAN_E_COMPONENT_ERROR',
    message: /cannot edit/,
  });
});
