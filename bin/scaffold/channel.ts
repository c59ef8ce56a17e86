// `titan new channel NAME`: a channel for a platform that POSTs JSON messages to Titan (with a
// shared secret in a header) and takes the replies as JSON POSTs: the shape to adapt to a platform.
import { envName, type Template } from './template.ts';

export function channelTemplate(name: string): Template {
  const env = envName(name);
  return {
    manifest: {
      name,
      kind: 'channel',
      version: '0.1.0',
      world: 'titan:channel/channel-component@0.2.0',
      source: `${name}.js`,
      capabilities: { log: {} },
      limits: { memoryMb: 32, maxInstances: 4 },
      smoke: [{ function: 'encode-outbound', args: ['{"op":"send","context":{"chat":"c"},"text":"hi","part":0}'] }],
      channel: {
        title: name,
        apiUrl: 'http://127.0.0.1:9',
        maxChars: 4000,
        canEdit: false,
        secrets: {
          secret: { env: `TITAN_${env}_SECRET`, use: 'verification', required: true },
          'reply-token': { env: `TITAN_${env}_REPLY_TOKEN`, use: 'outbound', required: true },
        },
        verify: [{ scheme: 'token-header', secret: 'secret', header: 'x-webhook-secret', as: 'x-titan-secret-valid' }],
        push: { key: 'chat' },
      },
    },
    types: ['channel-channel@0.2.0.d.ts', 'host-log@0.2.0.d.ts'],
    source: `// ${name}: a Titan channel, sans-IO. The host receives POST <gateway>/channels/${name}/webhook and
// hands it to decodeInbound with what it computed from the secrets (component.json, "channel".verify:
// here whether X-Webhook-Secret matched); a reply is encoded as requests the host sends to the
// channel's apiUrl (config: channels.apiUrls.${name}), with {{secret:NAME}} filled in by the host.

// The guests have no TextEncoder/TextDecoder: UTF-8 by hand, on code points.
function encodeUtf8(text) {
  const out = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

function decodeUtf8(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const extra = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
    let code = extra === 0 ? b : b & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) code = (code << 6) | ((bytes[i + k] ?? 0) & 63);
    out += String.fromCodePoint(code > 0x10ffff ? 0xfffd : code);
    i += extra + 1;
  }
  return out;
}

const malformed = (why) => ({ tag: 'malformed', val: why });

function parse(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw malformed('not JSON: ' + e.message);
  }
}

/** @type {typeof import('titan:channel/channel@0.2.0')} */
export const channel = {
  describe() {
    return { name: '${name}', description: 'Messages by POST with a shared secret; replies POSTed as JSON.', configSchema: '{}' };
  },
  decodeInbound(request, secretHeaders) {
    const valid = secretHeaders.find(([k]) => k === 'x-titan-secret-valid')?.[1];
    if (valid !== 'true') throw { tag: 'unauthenticated', val: 'X-Webhook-Secret is missing or wrong' };
    const body = parse(decodeUtf8(request.body));
    if (!body || typeof body.id !== 'string' || typeof body.from !== 'string' || typeof body.text !== 'string' || body.text === '')
      throw malformed('expected {"id", "from", "text"}');
    const chat = typeof body.chat === 'string' ? body.chat : body.from;
    const message = { eventId: body.id, chatId: chat, senderId: body.from, text: body.text, context: { chat } };
    /** @type {[string, string][]} */
    const headers = [['content-type', 'application/json']];
    return { messagesJson: JSON.stringify({ messages: [message] }), response: { status: 202, headers, body: encodeUtf8('{"accepted":true}') } };
  },
  encodeOutbound(replyJson) {
    const reply = parse(replyJson);
    if (!reply || reply.op !== 'send' || !reply.context || typeof reply.context.chat !== 'string') throw malformed('only sends are supported');
    /** @type {[string, string][]} */
    const headers = [
      ['content-type', 'application/json'],
      ['authorization', 'Bearer {{secret:reply-token}}'],
    ];
    return [{ method: 'POST', path: '/messages', headers, body: encodeUtf8(JSON.stringify({ chat: reply.context.chat, text: reply.text })) }];
  },
  decodeSent(response) {
    const ok = response.status >= 200 && response.status < 300;
    return JSON.stringify(ok ? { ok } : { ok, status: response.status, error: 'HTTP ' + response.status });
  },
};
`,
    test: `// Runs the channel's source under plain Node (node --test): no build, no kernel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channel } from './${name}.js';

const request = (body) => ({ method: 'POST', path: '/', headers: [], body: new TextEncoder().encode(JSON.stringify(body)) });

test('${name} reads a message the host vouched for and refuses one it did not', () => {
  const inbound = channel.decodeInbound(request({ id: '1', from: 'ada', text: 'hi' }), [['x-titan-secret-valid', 'true']]);
  assert.deepEqual(JSON.parse(inbound.messagesJson).messages[0], { eventId: '1', chatId: 'ada', senderId: 'ada', text: 'hi', context: { chat: 'ada' } });
  assert.throws(() => channel.decodeInbound(request({ id: '1', from: 'ada', text: 'hi' }), [['x-titan-secret-valid', 'false']]), { tag: 'unauthenticated' });
});

test('${name} sends a reply as one POST naming the reply token, which the host fills in', () => {
  const [sent] = channel.encodeOutbound(JSON.stringify({ op: 'send', context: { chat: 'ada' }, text: 'hello', part: 0 }));
  assert.equal(sent.path, '/messages');
  assert.deepEqual(JSON.parse(new TextDecoder().decode(sent.body)), { chat: 'ada', text: 'hello' });
  assert.ok(sent.headers.some(([k, v]) => k === 'authorization' && v.includes('{{secret:reply-token}}')));
});
`,
  };
}
