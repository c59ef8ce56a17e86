// whatsapp: the WhatsApp Business Cloud API. Meta verifies the webhook with a GET handshake
// (hub.mode=subscribe, hub.verify_token, hub.challenge) and signs every POST with
// X-Hub-Signature-256 (sha256=HMAC-SHA256 of the raw body with the app secret; the host computes
// it, this component compares). Text messages reach the agent; anything else (audio, images...)
// reaches it as an explicit placeholder. Replies are POST /{phone-number-id}/messages; WhatsApp
// cannot edit a sent message, so only the final answer is sent.
import {
  emptyResponse,
  header,
  inbound,
  isObject,
  jsonBody,
  jsonRequest,
  malformed,
  placeholder,
  queryOf,
  readReply,
  responseJson,
  sameText,
  secret,
  textResponse,
  unauthenticated,
} from '../lib/http.js';

const AUTH = [['authorization', `Bearer ${secret('access-token')}`]];
const KINDS = {
  audio: 'an audio message',
  image: 'an image',
  video: 'a video',
  document: 'a document',
  sticker: 'a sticker',
  location: 'a location',
  contacts: 'a contact card',
  order: 'an order',
  system: 'a system message',
  unsupported: 'a kind of message WhatsApp itself does not support',
};
// Rate limits in Graph API error codes: pair rate (131056), throughput (130429), app (4, 80007).
const RATE_LIMITED = [4, 80007, 130429, 131056];

function handshake(request, secretHeaders) {
  const query = queryOf(request.path);
  if (query['hub.mode'] !== 'subscribe') throw malformed('a GET must be the verification handshake (hub.mode=subscribe)');
  if (header(secretHeaders, 'x-titan-verify-token-valid') !== 'true') throw unauthenticated('hub.verify_token does not match the configured verify token');
  if (typeof query['hub.challenge'] !== 'string' || query['hub.challenge'] === '') throw malformed('the handshake has no hub.challenge');
  return inbound([], textResponse(200, query['hub.challenge']));
}

function textOf(message) {
  if (message.type === 'text' && isObject(message.text) && typeof message.text.body === 'string') return message.text.body;
  if (message.type === 'button' && isObject(message.button) && typeof message.button.text === 'string') return message.button.text;
  if (message.type === 'interactive' && isObject(message.interactive)) {
    const chosen = message.interactive.button_reply ?? message.interactive.list_reply;
    if (isObject(chosen) && typeof chosen.title === 'string') return chosen.title;
  }
  return undefined;
}

function messagesOf(change) {
  const value = change.value;
  if (change.field !== 'messages' || !isObject(value) || !Array.isArray(value.messages)) return []; // statuses, account updates
  const phoneNumberId = isObject(value.metadata) ? value.metadata.phone_number_id : undefined;
  if (typeof phoneNumberId !== 'string') throw malformed('a messages change without metadata.phone_number_id');
  const names = new Map(
    (Array.isArray(value.contacts) ? value.contacts : []).filter(isObject).map((c) => [c.wa_id, isObject(c.profile) ? c.profile.name : undefined]),
  );
  return value.messages.flatMap((message) => {
    if (!isObject(message) || typeof message.id !== 'string' || typeof message.from !== 'string') throw malformed('a message without id or from');
    if (message.type === 'reaction') return []; // an emoji on an earlier message: nothing to answer
    const base = {
      eventId: message.id,
      chatId: message.from,
      senderId: message.from,
      senderName: names.get(message.from) ?? message.from,
      direct: true,
      context: { phoneNumberId, to: message.from },
    };
    const text = textOf(message);
    if (text !== undefined && text.trim() !== '') return [{ ...base, text }];
    const what = KINDS[message.type] ?? `a message of type "${message.type}"`;
    const caption =
      isObject(message[message.type]) && typeof message[message.type].caption === 'string' ? `\n(its caption: ${message[message.type].caption})` : '';
    return [{ ...base, text: placeholder(what) + caption, unsupported: what }];
  });
}

function decodeInbound(request, secretHeaders) {
  if (request.method === 'GET') return handshake(request, secretHeaders);
  if (request.method !== 'POST') throw malformed(`WhatsApp sends GET (handshake) or POST; ${request.method} is neither`);
  const given = header(request.headers, 'x-hub-signature-256');
  if (!given) throw unauthenticated('the X-Hub-Signature-256 header is missing');
  const expected = header(secretHeaders, 'x-titan-expected-signature');
  if (!expected || !sameText(given, expected)) throw unauthenticated('the X-Hub-Signature-256 does not match the body');
  const payload = jsonBody(request);
  if (payload.object !== 'whatsapp_business_account' || !Array.isArray(payload.entry)) throw malformed('not a whatsapp_business_account notification');
  const messages = payload.entry.flatMap((entry) =>
    isObject(entry) && Array.isArray(entry.changes) ? entry.changes.filter(isObject).flatMap(messagesOf) : [],
  );
  return inbound(messages, emptyResponse(200));
}

function encodeOutbound(replyJson) {
  const reply = readReply(replyJson);
  if (reply.op !== 'send') throw malformed(`WhatsApp cannot ${reply.op}: only new messages are sent`);
  const { phoneNumberId, to } = reply.context;
  if (typeof phoneNumberId !== 'string' || typeof to !== 'string') throw malformed('reply.context needs phoneNumberId and to');
  return [
    jsonRequest(
      'POST',
      `/${encodeURIComponent(phoneNumberId)}/messages`,
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to,
        type: 'text',
        text: { preview_url: false, body: reply.text },
      },
      AUTH,
    ),
  ];
}

function decodeSent(response) {
  const answer = responseJson(response);
  if (response.status >= 200 && response.status < 300 && isObject(answer) && Array.isArray(answer.messages)) {
    const id = isObject(answer.messages[0]) ? answer.messages[0].id : undefined;
    return JSON.stringify(typeof id === 'string' ? { ok: true, messageId: id } : { ok: true });
  }
  const error = isObject(answer) && isObject(answer.error) ? answer.error : {};
  return JSON.stringify({
    ok: false,
    status: response.status,
    error: String(error.message ?? `HTTP ${response.status}`),
    ...(RATE_LIMITED.includes(error.code) ? { retryAfterMs: 1000 } : {}),
  });
}

/** @type {typeof import('titan:channel/channel@0.2.0')} */
export const channel = {
  describe() {
    return {
      name: 'whatsapp',
      description: 'WhatsApp Cloud API: verification handshake, signed notifications, text replies.',
      configSchema: '{"type":"object","properties":{}}',
    };
  },
  decodeInbound,
  encodeOutbound,
  decodeSent,
};
