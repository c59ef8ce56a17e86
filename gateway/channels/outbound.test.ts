// The host's half of sending: a channel's requests stay under the configured API base, carry only
// the secrets that channel may send (filled in on the way out, never shown in an error), and are
// retried after a platform's rate limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTitanError } from '../../common/errors.ts';
import { LeakGuard } from '../../common/leak-guard.ts';
import type { Kernel } from '../../kernel/api.ts';
import { ChannelSender } from './outbound.ts';
import { ChannelSecrets } from './secrets.ts';
import { builtinChannelSpec } from '../../test/channels/support.ts';

type Wire = { method: string; path: string; headers: Array<[string, string]>; body: Uint8Array };

/** A kernel whose channel component answers encode-outbound with `requests` and decode-sent with `sent` in turn. */
function kernelWith(requests: Wire[], sent: object[]): Kernel {
  return {
    async call(_kind: string, _name: string, fn: string) {
      if (fn === 'encode-outbound') return requests;
      return JSON.stringify(sent.shift() ?? { ok: true });
    },
    leaks: new LeakGuard(() => []),
  } as unknown as Kernel;
}

function recordingFetch() {
  const seen: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetchImpl = (async (url: string, init: { headers: Array<[string, string]> }) => {
    seen.push({ url, headers: Object.fromEntries(init.headers) });
    return new Response('{}', { status: 200 });
  }) as unknown as typeof fetch;
  return { seen, fetchImpl };
}

const secrets = new ChannelSecrets(builtinChannelSpec('slack'), {
  TITAN_SLACK_BOT_TOKEN: 'xoxb-real-token',
  TITAN_SLACK_SIGNING_SECRET: 'signing-secret-value',
});
const request = (path: string, auth = 'Bearer {{secret:bot-token}}'): Wire => ({
  method: 'POST',
  path,
  headers: [['authorization', auth]],
  body: new Uint8Array(),
});
const reply = { op: 'send' as const, context: {}, text: 'hi', part: 0 };

test('an outbound secret is filled in on the way out, under the API base', async () => {
  const { seen, fetchImpl } = recordingFetch();
  const sender = new ChannelSender(
    kernelWith([request('/chat.postMessage')], [{ ok: true, messageId: '1.2' }]),
    'slack',
    'https://slack.example/api/',
    secrets,
    fetchImpl,
  );
  assert.deepEqual(await sender.perform(reply), { ok: true, messageId: '1.2' });
  assert.deepEqual(seen, [{ url: 'https://slack.example/api/chat.postMessage', headers: { authorization: 'Bearer xoxb-real-token' } }]);
});

test('a verification secret or a path outside the API base is refused before anything is sent', async () => {
  const { seen, fetchImpl } = recordingFetch();
  const leak = new ChannelSender(
    kernelWith([request('/chat.postMessage', 'Bearer {{secret:signing-secret}}')], []),
    'slack',
    'https://slack.example/api',
    secrets,
    fetchImpl,
  );
  await assert.rejects(leak.perform(reply), (e) => isTitanError(e, 'TITAN_E_CHANNEL_CONFIG') && !e.message.includes('signing-secret-value'));
  for (const path of ['/../elsewhere', '/../apix/y', '//evil.example/x', 'chat.postMessage']) {
    const escaping = new ChannelSender(kernelWith([request(path)], []), 'slack', 'https://slack.example/api', secrets, fetchImpl);
    await assert.rejects(escaping.perform(reply), (e) => isTitanError(e, 'TITAN_E_CHANNEL_SEND'), path);
  }
  assert.deepEqual(seen, []);
});

test('a rate limit is waited out and retried; a refusal is a coded error that never shows the token', async () => {
  const { seen, fetchImpl } = recordingFetch();
  const limited = new ChannelSender(
    kernelWith([request('/chat.update')], [{ ok: false, status: 429, error: 'ratelimited', retryAfterMs: 1 }, { ok: true }]),
    'slack',
    'https://slack.example/api',
    secrets,
    fetchImpl,
  );
  assert.deepEqual(await limited.perform(reply), { ok: true });
  assert.equal(seen.length, 2);
  const refused = new ChannelSender(
    kernelWith([request('/chat.update')], [{ ok: false, status: 401, error: 'invalid_auth for xoxb-real-token' }]),
    'slack',
    'https://slack.example/api',
    secrets,
    fetchImpl,
  );
  await assert.rejects(refused.perform(reply), (e) => isTitanError(e, 'TITAN_E_CHANNEL_SEND') && e.message.includes('invalid_auth for ***'));
});

test('a reply holding a key is redacted before it reaches the platform', async () => {
  const bodies: string[] = [];
  const kernel = {
    async call(_kind: string, _name: string, fn: string, args: unknown[]) {
      if (fn === 'encode-outbound') {
        bodies.push(JSON.parse(String(args[0])).text);
        return [];
      }
      return JSON.stringify({ ok: true });
    },
    leaks: new LeakGuard(() => ['channel-secret-value']),
  } as unknown as Kernel;
  const sender = new ChannelSender(kernel, 'telegram', 'http://127.0.0.1:1/bot', new ChannelSecrets(builtinChannelSpec('telegram'), {}));
  await sender.perform({ op: 'send', context: {}, text: 'here: channel-secret-value and AKIAIOSFODNN7EXAMPLE', part: 0 });
  assert.deepEqual(bodies, ['here: [REDACTED:stored-secret] and [REDACTED:aws-access-key]']);
});
