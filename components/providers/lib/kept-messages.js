// A thread's requests kept between calls, for wire formats that encode each message on its own
// (OpenAI's): the next request of a thread repeats the last one's text and adds a message or two
// at the end, so only what it adds is read and encoded; reading and writing the whole history
// again was most of a request's encoding (about 0.5 ms for 200 messages in this interpreter).
// A request that does not extend the kept one, or anything unexpected, takes the full read.
import { checkMessage } from './request.js';

/** Requests longer than this are not kept (the copy would cost the instance's memory). */
const MAX_KEPT_CHARS = 2_000_000;

/**
 * @param {(requestJson: string) => { request: any, tools: string }} read the full read (kept-tools.js)
 * @param {(message: any) => unknown} encodeMessage one message in the wire format
 * @returns {(requestJson: string) => { request: any, tools: string, messages: string }} the request
 *   (checked), its tools' JSON ('' for none) and its messages' JSON array in the wire format
 */
export function messageKeeper(read, encodeMessage) {
  /** @type {{ open: string, request: any, tools: string, messages: string } | undefined} */
  let kept;
  const keep = (text, request, tools, messages) => {
    // Only a request whose messages come last, as the host writes it, can be extended by its text
    // (its text then ends with its last message; the host writes it with JSON.stringify: no key twice).
    const ends = text.length <= MAX_KEPT_CHARS && text.endsWith(`${JSON.stringify(request.messages.at(-1))}]}`);
    kept = ends ? { open: text.slice(0, -2), request, tools, messages } : undefined;
  };
  return (requestJson) => {
    const extended = kept && extend(kept, requestJson, encodeMessage);
    if (extended) {
      keep(requestJson, extended.request, extended.tools, extended.messages);
      return extended;
    }
    const { request, tools } = read(requestJson);
    const messages = `[${request.messages.map((m) => JSON.stringify(encodeMessage(m))).join(',')}]`;
    keep(requestJson, request, tools, messages);
    return { request, tools, messages };
  };
}

/** The kept request with the messages `text` adds to it; undefined when `text` is not the kept text plus messages. */
function extend(kept, text, encodeMessage) {
  const { open } = kept;
  if (!text.endsWith(']}') || !text.startsWith(open)) return undefined;
  if (text.length === open.length + 2) return { request: kept.request, tools: kept.tools, messages: kept.messages };
  if (text[open.length] !== ',') return undefined;
  let added;
  try {
    // Only whole messages may follow (anything else fails here); each checked as the full read
    // checks it, which reports any problem.
    added = JSON.parse(`[${text.slice(open.length + 1, -2)}]`);
    for (const [i, m] of added.entries()) checkMessage(m, kept.request.messages.length + i);
  } catch {
    return undefined;
  }
  const request = { ...kept.request, messages: [...kept.request.messages, ...added] };
  const more = added.map((m) => JSON.stringify(encodeMessage(m))).join(',');
  return { request, tools: kept.tools, messages: `${kept.messages.slice(0, -1)},${more}]` };
}
