// Anthropic's errors: {"type": "error", "error": {"type", "message"}} as an HTTP body, or as an
// `event: error` inside a stream that already started (overloaded_error is the usual one).
import { answer, codeOfStatus, mentionsContextLength, parseBody, retryAfterMs } from '../lib/http-errors.js';

const TYPES = {
  rate_limit_error: 'rate_limited',
  overloaded_error: 'overloaded',
  authentication_error: 'auth',
  permission_error: 'auth',
  request_too_large: 'context_too_long',
  api_error: 'server',
  timeout_error: 'server',
  not_found_error: 'bad_request',
  billing_error: 'bad_request',
};

function codeOf(status, error) {
  const type = String(error.type ?? '');
  const byType = TYPES[type];
  if (type === 'invalid_request_error' || (byType === undefined && status !== undefined && codeOfStatus(status) === 'bad_request')) {
    return mentionsContextLength(error.message) ? 'context_too_long' : 'bad_request';
  }
  if (byType !== undefined) return byType;
  return status === undefined ? 'server' : codeOfStatus(status);
}

function errorOf(parsed, fallback) {
  if (parsed && typeof parsed.error === 'object' && parsed.error !== null) return parsed.error;
  return { message: fallback };
}

export function decodeError(status, headers, body) {
  const error = errorOf(parseBody(body), body || `HTTP ${status}`);
  const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
  // The status wins where the body is vague, except a body that names the overload (529 or 500).
  let code = codeOf(status, error);
  if (code === 'bad_request' && (status === 429 || status === 529 || status === 503 || status >= 500)) code = codeOfStatus(status);
  const wait = code === 'rate_limited' || code === 'overloaded' || code === 'server' ? retryAfterMs(headers, message) : undefined;
  return answer(code, message, wait);
}

/** The error event for the data of an `event: error`. */
export function streamError(data) {
  const error = errorOf(data, JSON.stringify(data));
  const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
  return { type: 'error', code: codeOf(undefined, error), message };
}
