// Newline-delimited JSON, decoded incrementally: the text may be cut anywhere, so the unfinished
// line travels in the caller's state (`partial`). Blank lines are skipped; CRLF is accepted.

const MAX_LINE = 8 * 1024 * 1024;

/** Calls onLine(text) for each complete non-blank line of partial + text; keeps the rest in state.partial. */
export function feedLines(state, text, onLine) {
  const buffer = state.partial + text;
  let start = 0;
  for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n', start)) {
    const line = buffer.slice(start, buffer.charCodeAt(end - 1) === 13 && end > start ? end - 1 : end);
    start = end + 1;
    if (line.trim() !== '') onLine(line);
  }
  state.partial = buffer.slice(start);
  if (state.partial.length > MAX_LINE) throw { tag: 'decode', val: `a line passed ${MAX_LINE} characters without ending` };
}
