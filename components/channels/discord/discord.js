// discord: interactions over HTTP. Discord signs each request with Ed25519 (X-Signature-Ed25519
// over X-Signature-Timestamp + body, with the application's public key): the host verifies the
// signature and says so, this component refuses unsigned or stale requests, answers PING with PONG,
// and answers an application command at once with a deferred response; the reply then edits the
// original response through the interaction's webhook, and long answers continue as follow-ups.
import { checkFresh } from '../lib/freshness.js';
import {
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
  unauthenticated,
} from '../lib/http.js';

// Interaction types and callback types (Discord's numbering).
const PING = 1,
  APPLICATION_COMMAND = 2,
  MESSAGE_COMPONENT = 3,
  AUTOCOMPLETE = 4,
  MODAL_SUBMIT = 5;
const PONG = 1,
  DEFERRED_CHANNEL_MESSAGE = 5,
  DEFERRED_UPDATE_MESSAGE = 6,
  AUTOCOMPLETE_RESULT = 8;
const STRING_OPTION = 3,
  ATTACHMENT_OPTION = 11;
// The model's text never pings @everyone, roles or users.
const NO_MENTIONS = { parse: [] };

function flatOptions(options) {
  if (!Array.isArray(options)) return [];
  return options.flatMap((o) => (isObject(o) ? [o, ...flatOptions(o.options)] : []));
}

function commandMessage(interaction) {
  const data = interaction.data;
  if (!isObject(data) || typeof data.name !== 'string') throw malformed('an application command without data.name');
  const user = isObject(interaction.member) && isObject(interaction.member.user) ? interaction.member.user : interaction.user;
  if (!isObject(user) || typeof user.id !== 'string') throw malformed('an application command without a user');
  if (typeof interaction.token !== 'string' || typeof interaction.application_id !== 'string')
    throw malformed('an application command without its token and application_id');
  const channelId = interaction.channel_id ?? (isObject(interaction.channel) ? interaction.channel.id : undefined);
  const options = flatOptions(data.options);
  const text = options
    .filter((o) => o.type === STRING_OPTION && typeof o.value === 'string')
    .map((o) => o.value)
    .join('\n')
    .trim();
  const base = {
    eventId: `interaction:${interaction.id}`,
    chatId: String(channelId ?? user.id),
    senderId: user.id,
    senderName: user.global_name ?? user.username ?? user.id,
    direct: interaction.guild_id === undefined,
    context: { applicationId: interaction.application_id, token: interaction.token },
  };
  if (options.some((o) => o.type === ATTACHMENT_OPTION)) {
    return { ...base, text: placeholder('an attachment') + (text ? `\n(its text: ${text})` : ''), unsupported: 'an attachment' };
  }
  return { ...base, text: text || `/${data.name}` };
}

function decodeInbound(request, secretHeaders) {
  if (request.method !== 'POST') throw malformed(`Discord posts interactions; ${request.method} is not one`);
  if (!header(request.headers, 'x-signature-ed25519')) throw unauthenticated('the X-Signature-Ed25519 header is missing');
  if (header(secretHeaders, 'x-titan-signature-valid') !== 'true')
    throw unauthenticated("the X-Signature-Ed25519 signature does not verify with the application's public key");
  checkFresh(header(request.headers, 'x-signature-timestamp'), 'X-Signature-Timestamp');
  const interaction = jsonBody(request);
  if (typeof interaction.id !== 'string') throw malformed('an interaction without an id');
  switch (interaction.type) {
    case PING:
      return inbound([], jsonResponse(200, { type: PONG }));
    case APPLICATION_COMMAND:
      return inbound([commandMessage(interaction)], jsonResponse(200, { type: DEFERRED_CHANNEL_MESSAGE }));
    case AUTOCOMPLETE:
      return inbound([], jsonResponse(200, { type: AUTOCOMPLETE_RESULT, data: { choices: [] } }));
    case MESSAGE_COMPONENT:
    case MODAL_SUBMIT:
      return inbound([], jsonResponse(200, { type: DEFERRED_UPDATE_MESSAGE }));
    default:
      throw malformed(`unknown interaction type ${JSON.stringify(interaction.type)}`);
  }
}

function encodeOutbound(replyJson) {
  const reply = readReply(replyJson);
  if (reply.op === 'poll') throw malformed('Discord delivers interactions by webhook; there is nothing to poll');
  const { applicationId, token } = reply.context;
  if (typeof applicationId !== 'string' || typeof token !== 'string') throw malformed('reply.context needs applicationId and token');
  const hook = `/webhooks/${encodeURIComponent(applicationId)}/${encodeURIComponent(token)}`;
  const body = { content: reply.text, allowed_mentions: NO_MENTIONS };
  if (reply.part === 0) return [jsonRequest('PATCH', `${hook}/messages/@original`, body)];
  if (reply.op === 'edit') return [jsonRequest('PATCH', `${hook}/messages/${encodeURIComponent(reply.messageId)}`, body)];
  return [jsonRequest('POST', `${hook}?wait=true`, body)];
}

function decodeSent(response) {
  const answer = responseJson(response);
  if (response.status >= 200 && response.status < 300) return JSON.stringify(typeof answer.id === 'string' ? { ok: true, messageId: answer.id } : { ok: true });
  const retryAfter = isObject(answer) && typeof answer.retry_after === 'number' ? Math.ceil(answer.retry_after * 1000) : undefined;
  return JSON.stringify({
    ok: false,
    status: response.status,
    error: String((isObject(answer) && answer.message) || `HTTP ${response.status}`),
    ...(retryAfter ? { retryAfterMs: retryAfter } : {}),
  });
}

/** @type {typeof import('titan:channel/channel@0.2.0')} */
export const channel = {
  describe() {
    return {
      name: 'discord',
      description: 'Discord interactions (Ed25519-signed): PING, slash commands answered by editing the deferred response.',
      configSchema: '{"type":"object","properties":{}}',
    };
  },
  decodeInbound,
  encodeOutbound,
  decodeSent,
};
