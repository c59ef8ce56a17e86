// The gateway's REST API and its event stream, with the bearer token. The token arrives once in
// the URL fragment (#token=..., as printed by `npm start`; a fragment never reaches a server or a
// Referer) and is then kept in sessionStorage: for this tab only, gone when it closes.

const TOKEN_KEY = 'titan.token';

/** Moves a #token=... from the address bar into sessionStorage and out of the history. */
export function takeTokenFromLocation() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('token');
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  history.replaceState(null, '', `${location.pathname}${location.search}#/chat`);
}

export const hasToken = () => Boolean(sessionStorage.getItem(TOKEN_KEY));

let unauthorized = () => {};
/** Called when the gateway refuses the token (401): it is forgotten. */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

/** A coded error from the gateway: {error: {code, message, fix}}. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `the gateway answered HTTP ${status}`);
    this.status = status;
    this.code = error?.code ?? 'TITAN_E_HTTP';
    this.fix = error?.fix;
    /** Every problem the gateway lists beside the message (a refused configuration's). */
    this.problems = error?.problems;
  }
}

async function request(method, path, body) {
  const headers = { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => null);
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    unauthorized();
  }
  if (!response.ok) throw new ApiError(response.status, data?.error);
  return data;
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body = {}) => request('POST', path, body),
  put: (path, body = {}) => request('PUT', path, body),
  delete: (path) => request('DELETE', path),
};

/** An API address a browser opens by itself (EventSource, a download link): the token goes as ?token=. */
export function streamUrl(path) {
  return `/api${path}?token=${encodeURIComponent(sessionStorage.getItem(TOKEN_KEY) ?? '')}`;
}

/** `/threads/<id>...` with the id encoded. */
export const threadPath = (threadId, rest = '') => `/threads/${encodeURIComponent(threadId)}${rest}`;

/**
 * The thread's live events over Server-Sent Events (EventSource cannot send headers, so the token
 * goes as ?token=). EventSource reconnects by itself with Last-Event-ID, and the gateway replays
 * what was missed. Resolves once the stream is open, so nothing sent after it is missed.
 */
export function openThreadEvents(threadId, { onEvent, onLost }) {
  const token = encodeURIComponent(sessionStorage.getItem(TOKEN_KEY) ?? '');
  const source = new EventSource(`/api${threadPath(threadId, '/events')}?token=${token}`);
  const opened = new Promise((resolve) => {
    source.addEventListener('open', () => resolve(source), { once: true });
    source.addEventListener('error', () => {
      // CLOSED: the gateway refused the stream (EventSource does not retry an HTTP error).
      if (source.readyState === EventSource.CLOSED) {
        onLost();
        resolve(source);
      }
    });
  });
  source.addEventListener('message', (message) => onEvent(JSON.parse(message.data)));
  return opened;
}
