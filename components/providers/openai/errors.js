// OpenAI's errors: {"error": {"message", "type", "code", "param"}} as an HTTP body, or the same
// object as an SSE data line inside a stream that already started.
import { answer, codeOfStatus, mentionsContextLength, parseBody, retryAfterMs } from '../lib/http-errors.js';

function codeOf(status, error) {
  const type = String(error.type ?? '');
  const code = String(error.code ?? '');
  // A 429 for an exhausted quota is not cured by waiting: it is the account, not the load.
  if (code === 'insufficient_quota') return 'bad_request';
  if (code === 'context_length_exceeded' || code === 'string_above_max_length') return 'context_too_long';
  if (code === 'rate_limit_exceeded' || type === 'rate_limit_error') return 'rate_limited';
  if (code === 'invalid_api_key' || type === 'authentication_error' || type === 'permission_error') return 'auth';
  if (status === undefined) {
    // In a stream there is no status: the type says what happened.
    if (/overloaded/i.test(String(error.message ?? ''))) return 'overloaded';
    if (type === 'invalid_request_error') return mentionsContextLength(error.message) ? 'context_too_long' : 'bad_request';
    return 'server';
  }
  const byStatus = codeOfStatus(status);
  if (byStatus === 'bad_request' && mentionsContextLength(error.message)) return 'context_too_long';
  return byStatus;
}

export function decodeError(status, headers, body) {
  const parsed = parseBody(body);
  const error = parsed && typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : { message: body || `HTTP ${status}` };
  const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
  const code = codeOf(status, error);
  const wait = code === 'rate_limited' || code === 'overloaded' || code === 'server' ? retryAfterMs(headers, message) : undefined;
  return answer(code, message, wait);
}

/** The error event for an {"error": {...}} data line. */
export function streamError(error) {
  const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
  return { type: 'error', code: codeOf(undefined, error), message };
}
