// slack: the Events API. Every request is signed (X-Slack-Signature: v0=HMAC-SHA256 of
// "v0:{X-Slack-Request-Timestamp}:{body}" with the app's signing secret, which the host computes
// and this component compares) and must be less than five minutes old. The url_verification
// challenge is answered; message events from people become kernel messages (the bot's own and
// other bots' are ignored); replies are chat.postMessage, then chat.update as the answer grows.
import { checkFresh } from '../lib/freshness.js';
import {
  emptyResponse,
  header,
  inbound,
  isObject,
  jsonBody,
  jsonRequest,
  jsonResponse,
  malformed,
  placeholder,
  readReply,
  responseJson,
  sameText,
  secret,
  unauthenticated,
} from '../lib/http.js';

const AUTH = [['authorization', `Bearer ${secret('bot-token')}`]];
// Message subtypes that are not a person writing (edits, joins, topic changes...).
const NOT_WRITTEN = [
  'bot_message',
  'message_changed',
  'message_deleted',
  'message_replied',
  'channel_join',
  'channel_leave',
  'channel_topic',
  'channel_purpose',
  'channel_name',
  'group_join',
  'group_leave',
  'ekm_access_denied',
  'me_message',
  'tombstone',
];

function verify(request, secretHeaders) {
  const expected = header(secretHeaders, 'x-titan-expected-signature');
  const given = header(request.headers, 'x-slack-signature');
  if (!given) throw unauthenticated('the X-Slack-Signature header is missing');
  if (!expected || !sameText(given, expected)) throw unauthenticated('the X-Slack-Signature does not match the body');
  checkFresh(header(request.headers, 'x-slack-request-timestamp'), 'X-Slack-Request-Timestamp');
}

function describeFiles(files) {
  if (!Array.isArray(files) || files.length === 0) return 'a file';
  const kinds = files.map((f) => {
    const mime = isObject(f) && typeof f.mimetype === 'string' ? f.mimetype : '';
    if (mime.startsWith('image/')) return 'an image';
    if (mime.startsWith('audio/')) return 'an audio file';
    if (mime.startsWith('video/')) return 'a video';
    return 'a file';
  });
  return kinds.length === 1 ? kinds[0] : `${kinds.length} files`;
}

function messageOf(envelope, retry) {
  const event = envelope.event;
  if (!isObject(event)) throw malformed('event_callback without an event object');
  if (typeof envelope.event_id !== 'string' || envelope.event_id === '') throw malformed('event_callback without an event_id');
  if (event.type !== 'message') return null; // app_mention and others: the message event carries the same text
  if (event.bot_id !== undefined || NOT_WRITTEN.includes(event.subtype)) return null;
  const self = Array.isArray(envelope.authorizations) && isObject(envelope.authorizations[0]) ? envelope.authorizations[0].user_id : undefined;
  if (typeof event.user !== 'string' || event.user === self) return null;
  if (typeof event.channel !== 'string') throw malformed(`event ${envelope.event_id}: the message has no channel`);
  const threadTs = typeof event.thread_ts === 'string' ? event.thread_ts : undefined;
  const base = {
    eventId: envelope.event_id,
    chatId: threadTs ? `${event.channel}/${threadTs}` : event.channel,
    senderId: event.user,
    direct: event.channel_type === 'im',
    context: threadTs ? { channel: event.channel, threadTs } : { channel: event.channel },
    ...(retry ? { retry: Number(retry) } : {}),
  };
  const text = typeof event.text === 'string' ? event.text.trim() : '';
  if (event.subtype === 'file_share' || (Array.isArray(event.files) && event.files.length)) {
    const what = describeFiles(event.files);
    return { ...base, text: placeholder(what) + (text ? `\n(its message: ${text})` : ''), unsupported: what };
  }
  if (text === '') return { ...base, text: placeholder('a message without text'), unsupported: 'a message without text' };
  return { ...base, text };
}

function decodeInbound(request, secretHeaders) {
  if (request.method !== 'POST') throw malformed(`Slack posts events; ${request.method} is not one`);
  verify(request, secretHeaders);
  const envelope = jsonBody(request);
  if (envelope.type === 'url_verification') {
    if (typeof envelope.challenge !== 'string') throw malformed('url_verification without a challenge');
    return inbound([], jsonResponse(200, { challenge: envelope.challenge }));
  }
  if (envelope.type !== 'event_callback') return inbound([], emptyResponse(200));
  // A retry (X-Slack-Retry-Num) carries the same event_id: the host answers each event id once.
  const message = messageOf(envelope, header(request.headers, 'x-slack-retry-num'));
  return inbound(message ? [message] : [], emptyResponse(200));
}

function encodeOutbound(replyJson) {
  const reply = readReply(replyJson);
  if (reply.op === 'poll') throw malformed('Slack delivers events by webhook; there is nothing to poll');
  const { channel, threadTs } = reply.context;
  if (typeof channel !== 'string') throw malformed('reply.context.channel is missing');
  if (reply.op === 'edit') return [jsonRequest('POST', '/chat.update', { channel, ts: reply.messageId, text: reply.text }, AUTH)];
  return [jsonRequest('POST', '/chat.postMessage', { channel, text: reply.text, ...(threadTs ? { thread_ts: threadTs } : {}) }, AUTH)];
}

function decodeSent(response) {
  const answer = responseJson(response);
  if (answer.ok === true) return JSON.stringify(typeof answer.ts === 'string' ? { ok: true, messageId: answer.ts } : { ok: true });
  const retryAfter = Number(header(response.headers, 'retry-after'));
  return JSON.stringify({
    ok: false,
    status: response.status,
    error: String(answer.error ?? `HTTP ${response.status}`),
    ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  });
}

/** @type {typeof import('titan:channel/channel@0.2.0')} */
export const channel = {
  describe() {
    return {
      name: 'slack',
      description: 'Slack Events API (signed requests, url_verification), chat.postMessage and chat.update.',
      configSchema: '{"type":"object","properties":{}}',
    };
  },
  decodeInbound,
  encodeOutbound,
  decodeSent,
};
