// What every channel does with HTTP: read headers and JSON bodies, answer the platform, build
// outbound requests, and say what went wrong as the channel-error variant.
import { decodeUtf8, encodeUtf8 } from './utf8.js';

export function unauthenticated(message) {
  return { tag: 'unauthenticated', val: message };
}

export function malformed(message) {
  return { tag: 'malformed', val: message };
}

/** A header's value, by case-insensitive name; undefined when absent. */
export function header(headers, name) {
  const wanted = name.toLowerCase();
  for (const [key, value] of headers) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** The body as a JSON object; anything else is malformed. */
export function jsonBody(request) {
  let value;
  try {
    value = JSON.parse(decodeUtf8(request.body));
  } catch (e) {
    throw malformed(`the body is not JSON: ${e.message}`);
  }
  if (!isObject(value)) throw malformed('the body is not a JSON object');
  return value;
}

export function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The query parameters of a path ("/webhook?a=1&b=2"), decoded. */
export function queryOf(path) {
  const at = path.indexOf('?');
  const params = {};
  if (at < 0) return params;
  for (const pair of path.slice(at + 1).split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
    params[name] = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
  }
  return params;
}

/** Equal strings, compared without stopping at the first difference. */
export function sameText(a, b) {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

export function jsonResponse(status, value) {
  return { status, headers: [['content-type', 'application/json']], body: encodeUtf8(JSON.stringify(value)) };
}

export function textResponse(status, text) {
  return { status, headers: [['content-type', 'text/plain; charset=utf-8']], body: encodeUtf8(text) };
}

export function emptyResponse(status = 200) {
  return { status, headers: [], body: new Uint8Array(0) };
}

export function jsonRequest(method, path, value, headers = []) {
  return { method, path, headers: [['content-type', 'application/json'], ...headers], body: encodeUtf8(JSON.stringify(value)) };
}

/** The inbound record: messages (and, for polling, where to continue) plus the platform's answer. */
export function inbound(messages, response, extra = {}) {
  return { messagesJson: JSON.stringify({ messages, ...extra }), response };
}

/** The reply JSON the host hands to encode-outbound, checked. */
export function readReply(text) {
  let reply;
  try {
    reply = JSON.parse(text);
  } catch (e) {
    throw malformed(`the reply is not JSON: ${e.message}`);
  }
  if (!isObject(reply)) throw malformed('the reply must be a JSON object');
  if (!['send', 'edit', 'poll'].includes(reply.op)) throw malformed('reply.op must be send, edit or poll');
  if (reply.op !== 'poll') {
    if (!isObject(reply.context)) throw malformed('reply.context must be the context of the inbound message');
    if (typeof reply.text !== 'string' || reply.text === '') throw malformed('reply.text must be a non-empty string');
    if (reply.op === 'edit' && (typeof reply.messageId !== 'string' || reply.messageId === '')) throw malformed('reply.messageId is required to edit');
  }
  return reply;
}

/** A platform's JSON answer to a request we sent; anything else is malformed. */
export function responseJson(response) {
  try {
    return JSON.parse(decodeUtf8(response.body));
  } catch (e) {
    throw malformed(`the platform answered ${response.status} with a body that is not JSON: ${e.message}`);
  }
}

/** How a message nobody can read here is shown to the agent. */
export function placeholder(what) {
  return `[the user sent ${what}, which this channel cannot read]`;
}

/** A secret named in an outbound path or header: the host puts its value there on the way out. */
export function secret(name) {
  return `{{secret:${name}}}`;
}
