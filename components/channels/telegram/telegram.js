// telegram: the Bot API. Updates arrive by webhook (checked by the secret token Telegram sends in
// X-Telegram-Bot-Api-Secret-Token) or by getUpdates long polling (the host fetches, this component
// reads the batch and says the next offset); replies are sendMessage, and editMessageText as the
// answer grows. The bot token travels only in the URL path the host completes.
import {
  emptyResponse,
  header,
  inbound,
  isObject,
  jsonBody,
  jsonRequest,
  malformed,
  placeholder,
  readReply,
  responseJson,
  secret,
  unauthenticated,
} from '../lib/http.js';

const API = `/bot${secret('bot-token')}`;

// What a message without text carries, in the order Telegram's Message object lists them.
const NON_TEXT = [
  ['animation', 'an animation'],
  ['audio', 'an audio file'],
  ['document', 'a document'],
  ['photo', 'a photo'],
  ['sticker', 'a sticker'],
  ['video', 'a video'],
  ['video_note', 'a video message'],
  ['voice', 'a voice message'],
  ['contact', 'a contact'],
  ['dice', 'a dice'],
  ['game', 'a game'],
  ['poll', 'a poll'],
  ['venue', 'a venue'],
  ['location', 'a location'],
];

function senderName(from) {
  return [from.first_name, from.last_name].filter(Boolean).join(' ') || from.username || String(from.id);
}

/** One Update as a kernel message, or null when it is not a message from a person (edits, joins...). */
function messageOf(update) {
  if (!isObject(update) || !Number.isInteger(update.update_id)) throw malformed('an update has no integer update_id');
  const message = update.message;
  if (!isObject(message)) return null;
  if (!isObject(message.chat) || message.chat.id === undefined) throw malformed(`update ${update.update_id}: message.chat.id is missing`);
  const from = message.from;
  if (!isObject(from) || from.id === undefined || from.is_bot === true) return null;
  const base = {
    eventId: `update:${update.update_id}`,
    chatId: String(message.chat.id),
    senderId: String(from.id),
    senderName: senderName(from),
    direct: message.chat.type === 'private',
    context: { chatId: message.chat.id },
  };
  if (typeof message.text === 'string' && message.text !== '') return { ...base, text: message.text };
  const kind = NON_TEXT.find(([field]) => message[field] !== undefined);
  const what = kind ? kind[1] : 'a kind of message';
  const caption = typeof message.caption === 'string' && message.caption ? `\n(its caption: ${message.caption})` : '';
  return { ...base, text: placeholder(what) + caption, unsupported: what };
}

function decodeInbound(request, secretHeaders) {
  const origin = header(secretHeaders, 'x-titan-origin');
  if (origin === 'poll') {
    // A getUpdates answer the host fetched with the bot token: authentic by construction.
    const batch = jsonBody(request);
    if (batch.ok !== true || !Array.isArray(batch.result)) throw malformed(`getUpdates failed: ${batch.description ?? 'no result list'}`);
    // One update this channel cannot read must not hold back the ones after it: it is skipped
    // (and named, for the host's log) and the offset still moves past it.
    const messages = [];
    const skipped = [];
    let last = -1;
    for (const update of batch.result) {
      if (isObject(update) && Number.isInteger(update.update_id)) last = Math.max(last, update.update_id);
      try {
        const message = messageOf(update);
        if (message) messages.push(message);
      } catch (e) {
        skipped.push(e?.val ? e.val : String(e));
      }
    }
    return inbound(messages, emptyResponse(200), { ...(last >= 0 ? { cursor: String(last + 1) } : {}), ...(skipped.length ? { skipped } : {}) });
  }
  if (request.method !== 'POST') throw malformed(`Telegram posts updates; ${request.method} is not one`);
  if (header(secretHeaders, 'x-titan-secret-token-valid') !== 'true') {
    throw unauthenticated('the X-Telegram-Bot-Api-Secret-Token header is missing or wrong');
  }
  const message = messageOf(jsonBody(request));
  return inbound(message ? [message] : [], emptyResponse(200));
}

function encodeOutbound(replyJson) {
  const reply = readReply(replyJson);
  if (reply.op === 'poll') {
    const body = { timeout: reply.timeoutSeconds ?? 30, allowed_updates: ['message'] };
    if (reply.cursor !== undefined && reply.cursor !== null) body.offset = Number(reply.cursor);
    return [jsonRequest('POST', `${API}/getUpdates`, body)];
  }
  const chatId = reply.context.chatId;
  if (chatId === undefined) throw malformed('reply.context.chatId is missing');
  if (reply.op === 'edit') return [jsonRequest('POST', `${API}/editMessageText`, { chat_id: chatId, message_id: Number(reply.messageId), text: reply.text })];
  return [jsonRequest('POST', `${API}/sendMessage`, { chat_id: chatId, text: reply.text })];
}

function decodeSent(response) {
  const answer = responseJson(response);
  if (answer.ok === true) {
    const id = isObject(answer.result) ? answer.result.message_id : undefined;
    return JSON.stringify(id === undefined ? { ok: true } : { ok: true, messageId: String(id) });
  }
  const description = String(answer.description ?? `HTTP ${response.status}`);
  // Editing to the text already shown is refused by Telegram; for us it is done.
  if (/message is not modified/i.test(description)) return JSON.stringify({ ok: true });
  const retryAfter = isObject(answer.parameters) ? answer.parameters.retry_after : undefined;
  return JSON.stringify({
    ok: false,
    status: answer.error_code ?? response.status,
    error: description,
    ...(retryAfter ? { retryAfterMs: retryAfter * 1000 } : {}),
  });
}

const configSchema = {
  type: 'object',
  properties: {
    mode: { enum: ['webhook', 'polling'], description: 'Webhook (Telegram calls /channels/telegram/webhook) or getUpdates long polling.' },
  },
};

/** @type {typeof import('titan:channel/channel@0.2.0')} */
export const channel = {
  describe() {
    return {
      name: 'telegram',
      description: 'Telegram Bot API: webhook or getUpdates polling, sendMessage and editMessageText.',
      configSchema: JSON.stringify(configSchema),
    };
  },
  decodeInbound,
  encodeOutbound,
  decodeSent,
};
