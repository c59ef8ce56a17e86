// Server-Sent Events, decoded incrementally: the text may be cut anywhere (inside a line, between
// CR and LF), so the unfinished line and the event being assembled travel in the caller's state.

/** A line longer than this without an end is not an event stream (the state would grow forever). */
const MAX_LINE = 8 * 1024 * 1024;

/** The state fields this parser owns: the unfinished line, the event name and its data so far. */
export function freshSse() {
  return { partial: '', event: '', data: null };
}

/**
 * The complete lines of `buffer` and what is left after them. A CR at the very end stays in the
 * rest: it may be the first half of a CRLF whose LF comes with the next text.
 */
function takeLines(buffer) {
  const lines = [];
  let start = 0;
  if (buffer.indexOf('\r') < 0) {
    // The usual case (LF only), without a per-character loop.
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n', start)) {
      lines.push(buffer.slice(start, end));
      start = end + 1;
    }
    return { lines, rest: buffer.slice(start) };
  }
  for (let i = 0; i < buffer.length; i++) {
    const c = buffer.charCodeAt(i);
    if (c === 10) {
      lines.push(buffer.slice(start, i));
      start = i + 1;
    } else if (c === 13) {
      if (i + 1 === buffer.length) break;
      lines.push(buffer.slice(start, i));
      if (buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  return { lines, rest: buffer.slice(start) };
}

/**
 * Feeds `text` to the parser whose fields are in `sse`, calling onEvent(name, data) for each event
 * a blank line completes (the SSE rules: "data" lines join with LF, ":" lines are comments).
 */
export function feedSse(sse, text, onEvent) {
  const { lines, rest } = takeLines(sse.partial + text);
  if (rest.length > MAX_LINE) throw { tag: 'decode', val: `an SSE line passed ${MAX_LINE} characters without ending` };
  sse.partial = rest;
  for (const line of lines) {
    if (line === '') {
      const { event, data } = sse;
      sse.event = '';
      sse.data = null;
      if (data !== null) onEvent(event, data);
      continue;
    }
    if (line.charCodeAt(0) === 58) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') sse.data = sse.data === null ? value : `${sse.data}\n${value}`;
    else if (field === 'event') sse.event = value;
  }
}
