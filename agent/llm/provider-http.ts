// The HTTP exchange with a provider: node:http(s) on kept-alive connections by default, or a given
// fetch (tests play recorded streams through one). fetch costs about 0.5 ms of CPU and 1 ms of wait
// more per request than node:http (a WHATWG Request, a body turned into a stream, web streams on
// the way back); a warm turn's whole budget is 5 ms. Where fetch would do something node:http does
// not, fetch does it: a redirect is followed by fetch (from its target on), and NODE_USE_ENV_PROXY sends every request
// through fetch (it is what reads the proxy settings).
import http from 'node:http';
import type https from 'node:https';

export type ProviderRequest = { method: string; headers: Headers; body?: string; signal: AbortSignal };

/** What the client reads of an answer; header names are lower-case, as fetch gives them. */
export type ProviderResponse = {
  status: number;
  headers: Headers;
  /** False for the statuses that never carry one (204, 304...), as fetch's null body. */
  hasBody: boolean;
  /** The next piece of the body; undefined at its end. A cut connection rejects. */
  read(): Promise<Uint8Array | undefined>;
  /** Stops the body now (its connection is closed, not reused). */
  cancel(): void;
};

const HTTP = { client: http, agent: new http.Agent({ keepAlive: true }) };
let HTTPS: { client: typeof https; agent: https.Agent } | undefined;
/** node:https (and node:tls under it) is loaded at the first https request, not when a start loads this module. */
function transport(protocol: string): { client: typeof http | typeof https; agent: http.Agent } {
  if (protocol !== 'https:') return HTTP;
  const client = process.getBuiltinModule('node:https');
  return (HTTPS ??= { client, agent: new client.Agent({ keepAlive: true }) });
}
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect turns the request into a GET, and when it leaves the origin (fetch's rules). */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
/** What fetch sends when the request does not say (some servers refuse a request without one). */
const USER_AGENT = 'node';

/** Sends one request; rejects as fetch does when there is no answer (a TypeError whose cause says why). */
export async function send(url: URL, request: ProviderRequest, fetchImpl?: typeof fetch): Promise<ProviderResponse> {
  if (fetchImpl || process.env.NODE_USE_ENV_PROXY || (url.protocol !== 'http:' && url.protocol !== 'https:')) return viaFetch(fetchImpl ?? fetch, url, request);
  const answer = await viaNode(url, request);
  if (!REDIRECTS.has(answer.status) || !answer.headers.has('location')) return answer;
  answer.cancel();
  return viaFetch(fetch, ...redirected(url, request, answer));
}

/** The request a redirect asks for, as fetch makes it: fetch then follows any redirect after it. */
function redirected(url: URL, request: ProviderRequest, answer: ProviderResponse): [URL, ProviderRequest] {
  const target = new URL(answer.headers.get('location') ?? '', url);
  const toGet = answer.status === 303 || ((answer.status === 301 || answer.status === 302) && request.method === 'POST');
  const headers = new Headers(request.headers);
  if (toGet) for (const name of BODY_HEADERS) headers.delete(name);
  if (target.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
  return [target, { ...request, headers, method: toGet ? 'GET' : request.method, body: toGet ? undefined : request.body }];
}

async function viaFetch(fetchImpl: typeof fetch, url: URL, request: ProviderRequest): Promise<ProviderResponse> {
  const response = await fetchImpl(url, { method: request.method, headers: request.headers, body: request.body, signal: request.signal });
  const reader = response.body?.getReader();
  return {
    status: response.status,
    headers: response.headers,
    hasBody: reader !== undefined,
    read: async () => {
      if (!reader) return undefined;
      const { done, value } = await reader.read();
      return done ? undefined : value;
    },
    cancel: () => {
      reader?.cancel().catch(() => {});
    },
  };
}

function viaNode(url: URL, request: ProviderRequest): Promise<ProviderResponse> {
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (body) headers['content-length'] = String(body.length);
  const { client, agent } = transport(url.protocol);
  return new Promise((resolve, reject) => {
    const outgoing = client.request(url, { method: request.method, headers, agent, signal: request.signal }, (incoming) => {
      // Errors reach the reader through the iterator; a body nobody reads any more must not crash the process.
      incoming.on('error', () => {});
      const chunks = incoming[Symbol.asyncIterator]();
      const received = new Headers();
      for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) received.append(incoming.rawHeaders[i], incoming.rawHeaders[i + 1]);
      resolve({
        status: incoming.statusCode ?? 0,
        headers: received,
        hasBody: !NULL_BODY.has(incoming.statusCode ?? 0),
        read: async () => {
          try {
            const next = await chunks.next();
            return next.done ? undefined : (next.value as Buffer);
          } catch (error) {
            throw new TypeError('terminated', { cause: error });
          }
        },
        cancel: () => {
          outgoing.destroy();
        },
      });
    });
    outgoing.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
    outgoing.end(body);
  });
}
