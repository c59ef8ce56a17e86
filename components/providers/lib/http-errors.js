// What an HTTP error from an LLM API means, in Titan's codes (the shape decode-error answers):
// the status decides, the body's own error type refines it, and the wait comes from retry-after.

const CONTEXT_WORDING =
  /context.length|context.window|maximum context|prompt is too long|too many tokens|input length exceeds|context_length_exceeded|reduce the length/i;

export function header(headers, name) {
  for (const [key, value] of headers) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * How long the provider asks us to wait, in ms: retry-after-ms, then retry-after in seconds (an
 * HTTP date needs a clock the component does not have), then "try again in 1.5s" in the message.
 */
export function retryAfterMs(headers, message) {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (header(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const seconds = header(headers, 'retry-after');
  if (seconds !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(seconds)) return Math.round(Number(seconds) * 1000);
  const said = /try again in (\d+(?:\.\d+)?)\s*(ms|s)\b/i.exec(message ?? '');
  if (said) return Math.round(Number(said[1]) * (said[2].toLowerCase() === 'ms' ? 1 : 1000));
  return undefined;
}

export function mentionsContextLength(text) {
  return CONTEXT_WORDING.test(text ?? '');
}

/** The code of a status alone. */
export function codeOfStatus(status) {
  if (status === 429) return 'rate_limited';
  if (status === 503 || status === 529) return 'overloaded';
  if (status === 413) return 'context_too_long';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408) return 'server';
  if (status >= 400 && status < 500) return 'bad_request';
  return 'server';
}

/** The decode-error answer, as JSON text; the message is cut to a readable length. */
export function answer(code, message, waitMs) {
  const out = { code, message: String(message || code).slice(0, 2000) };
  if (waitMs !== undefined) out.retry_after_ms = waitMs;
  return JSON.stringify(out);
}

export function parseBody(body) {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
