// Ollama's errors: {"error": "text"} as an HTTP body, or as a line of a stream that already
// started. Ollama has no error types, so the status and the wording decide.
import { answer, codeOfStatus, mentionsContextLength, parseBody, retryAfterMs } from '../lib/http-errors.js';

function codeOfMessage(message) {
  if (/server busy|overloaded|maximum pending requests/i.test(message)) return 'overloaded';
  if (mentionsContextLength(message)) return 'context_too_long';
  if (/too many requests|rate limit/i.test(message)) return 'rate_limited';
  if (/unauthori[sz]ed|forbidden/i.test(message)) return 'auth';
  return undefined;
}

function messageOf(parsed, body, status) {
  if (parsed && typeof parsed.error === 'string') return parsed.error;
  if (parsed?.error && typeof parsed.error.message === 'string') return parsed.error.message;
  return body || `HTTP ${status}`;
}

export function decodeError(status, headers, body) {
  const message = messageOf(parseBody(body), body, status);
  let code = codeOfStatus(status);
  if (code === 'bad_request' && mentionsContextLength(message)) code = 'context_too_long';
  const wait = code === 'rate_limited' || code === 'overloaded' || code === 'server' ? retryAfterMs(headers, message) : undefined;
  return answer(code, message, wait);
}

/** The error event for an {"error": ...} line. */
export function streamError(line) {
  const message = messageOf(line, JSON.stringify(line), 0);
  return { type: 'error', code: codeOfMessage(message) ?? 'server', message };
}
