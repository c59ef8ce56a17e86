// webhook: a generic channel for any system that can make and take HTTP POSTs. Messages come in
// as POST <gateway>/channels/webhook/webhook with the shared secret in X-Webhook-Secret and a JSON
// body {"id", "from", "name"?, "chat"?, "text"}; each reply goes out as POST <apiUrl>/messages
// with {"chat", "to", "inReplyTo", "text", "part"} and "Authorization: Bearer <reply token>".
// Secrets never enter this component: the host says whether the secret matched
// (x-titan-secret-valid) and puts the reply token where {{secret:reply-token}} stands.

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

const unauthenticated = (why) => ({ tag: 'unauthenticated', val: why });
const malformed = (why) => ({ tag: 'malformed', val: why });
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const header = (headers, name) => headers.find(([k]) => k.toLowerCase() === name)?.[1];
/** @type {(status: number, value: unknown) => { status: number, headers: [string, string][], body: Uint8Array }} */
const json = (status, value) => ({ status, headers: [['content-type', 'application/json']], body: encodeUtf8(JSON.stringify(value)) });
const nonEmpty = (v) => typeof v === 'string' && v !== '' && v.length <= 256;

function parse(text, what) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw malformed(what + ' is not JSON: ' + e.message);
  }
}

/** @type {typeof import('titan:channel/channel@0.2.0')} */
export const channel = {
  describe() {
    return {
      name: 'webhook',
      description: 'A generic HTTP webhook channel: messages by POST with a shared secret, replies POSTed to a URL.',
      configSchema: '{}',
    };
  },

  decodeInbound(request, secretHeaders) {
    if (header(secretHeaders, 'x-titan-secret-valid') !== 'true') throw unauthenticated('X-Webhook-Secret is missing or wrong');
    if (request.method !== 'POST') throw malformed('messages come by POST');
    const body = parse(decodeUtf8(request.body), 'the body');
    if (!isObject(body)) throw malformed('the body must be a JSON object');
    if (!nonEmpty(body.id)) throw malformed('"id" (a unique id for this message, at most 256 characters) is required');
    if (!nonEmpty(body.from)) throw malformed('"from" (who sent it) is required');
    if (typeof body.text !== 'string' || body.text === '') throw malformed('"text" must be a non-empty string');
    const chat = nonEmpty(body.chat) ? body.chat : body.from;
    const message = {
      eventId: 'webhook:' + body.id,
      chatId: chat,
      senderId: body.from,
      senderName: nonEmpty(body.name) ? body.name : body.from,
      direct: chat === body.from,
      text: body.text,
      context: { chat, from: body.from, eventId: body.id },
    };
    return { messagesJson: JSON.stringify({ messages: [message] }), response: json(202, { accepted: true }) };
  },

  encodeOutbound(replyJson) {
    const reply = parse(replyJson, 'the reply');
    if (!isObject(reply) || (reply.op !== 'send' && reply.op !== 'edit')) throw malformed('this channel only sends messages (op "send")');
    if (!isObject(reply.context) || !nonEmpty(reply.context.chat)) throw malformed('reply.context.chat is required');
    const body = { chat: reply.context.chat, to: reply.context.from ?? null, inReplyTo: reply.context.eventId ?? null, text: reply.text, part: reply.part };
    return [
      {
        method: 'POST',
        path: '/messages',
        headers: [
          ['content-type', 'application/json'],
          ['authorization', 'Bearer {{secret:reply-token}}'],
        ],
        body: encodeUtf8(JSON.stringify(body)),
      },
    ];
  },

  decodeSent(response) {
    if (response.status >= 200 && response.status < 300) {
      const text = decodeUtf8(response.body);
      let id;
      try {
        id = JSON.parse(text)?.id;
      } catch {
        id = undefined; // an empty or non-JSON acknowledgement is still a delivery
      }
      return JSON.stringify({ ok: true, ...(typeof id === 'string' ? { messageId: id } : {}) });
    }
    const retry = Number(header(response.headers, 'retry-after'));
    return JSON.stringify({
      ok: false,
      status: response.status,
      error: 'the receiver answered HTTP ' + response.status,
      ...(response.status === 429 && retry > 0 ? { retryAfterMs: retry * 1000 } : {}),
    });
  },
};
