// One outbound HTTP exchange under a grant: every hop (the first request and each redirect) is
// matched against the grant, its secrets filled for that hop's host only, its address resolved
// and checked, and the socket connected to the checked address. Nothing is sent before all of
// that passed. The time limit covers the whole exchange, body included; the response body is cut
// at the cap. The response reaches the caller with the placed secret values cut out.
import http from 'node:http';
import type https from 'node:https';
import { Readable } from 'node:stream';
import { pinnedLookup, resolveChecked } from './address.ts';
import { denied, HttpFailure } from './failure.ts';
import { HTTP_DEFAULTS, hostOf, matchRule, type Header, type HttpGrant } from './grant.ts';
import { SecretFiller, StreamRedactor, type SecretLookup } from './secret-fill.ts';

export type OutboundRequest = {
  method: string;
  url: string;
  headers: Header[];
  /** Whole bytes, or a stream the caller writes into (a streamed body cannot follow a 307/308). */
  body?: Uint8Array | Readable;
};

export type ResponseHead = {
  status: number;
  headers: Header[];
  /** The URL that answered, after redirects. */
  url: string;
  /** The body, capped and with placed secrets cut out; fails with a coded HttpFailure. */
  body: AsyncIterable<Buffer>;
};

export type ExchangeOptions = {
  grant: HttpGrant;
  secrets?: SecretLookup;
  /** Ends the exchange (the time limit, or the caller giving up). */
  signal: AbortSignal;
  /** Bytes counted as they arrive, for /metrics. */
  onBytes?: (received: number) => void;
  /** Called once the first hop passed every check, just before anything is sent. */
  onConnect?: () => void;
};

/** Request headers the host sets itself (a guest's own would lie about the body or the target). */
const HOST_SET = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-connection',
]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/**
 * Connections are kept and reused per host and port. A new socket connects only to the address
 * checked for its request (the pinned lookup); a kept one was connected to an address checked
 * for that same host, and every request is checked against its own grant before it may use one.
 */
const HTTP = { client: http, agent: new http.Agent({ keepAlive: true, maxSockets: 256 }) };
let HTTPS: { client: typeof https; agent: https.Agent } | undefined;
/** node:https (and node:tls under it) is loaded at the first https request, not when a start loads this module. */
function transport(protocol: string): { client: typeof http | typeof https; agent: http.Agent } {
  if (protocol !== 'https:') return HTTP;
  const client = process.getBuiltinModule('node:https');
  return (HTTPS ??= { client, agent: new client.Agent({ keepAlive: true, maxSockets: 256 }) });
}
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function limitsOf(grant: HttpGrant) {
  return {
    timeoutMs: grant.timeoutMs ?? HTTP_DEFAULTS.timeoutMs,
    maxResponseBytes: grant.maxResponseBytes ?? HTTP_DEFAULTS.maxResponseBytes,
    maxRequestBytes: grant.maxRequestBytes ?? HTTP_DEFAULTS.maxRequestBytes,
    maxRedirects: grant.maxRedirects ?? HTTP_DEFAULTS.maxRedirects,
  };
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new HttpFailure('invalid', 'TITAN_E_HTTP_INVALID', `${JSON.stringify(String(text).slice(0, 200))} is not an absolute URL`);
  }
}

function checkHeaders(headers: Header[]): Header[] {
  for (const [name, value] of headers) {
    if (!TOKEN.test(name)) throw new HttpFailure('invalid', 'TITAN_E_HTTP_INVALID', `${JSON.stringify(name)} is not a header name`);
    if (/[\r\n\0]/.test(value)) throw new HttpFailure('invalid', 'TITAN_E_HTTP_INVALID', `the header ${name} holds a line break`);
  }
  return headers.filter(([name]) => !HOST_SET.has(name.toLowerCase()));
}

/** Which failure an error of the socket or the stream is. */
export function failureOf(error: unknown, signal: AbortSignal, timeoutMs: number): HttpFailure {
  if (error instanceof HttpFailure) return error;
  if (signal.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    if (reason?.name === 'TimeoutError') return new HttpFailure('timeout', 'TITAN_E_HTTP_TIMEOUT', `no complete answer within ${timeoutMs} ms`);
    return new HttpFailure('connection', 'TITAN_E_HTTP_FAILED', 'the request was cancelled');
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  return new HttpFailure('connection', 'TITAN_E_HTTP_FAILED', `${code ? `${code}: ` : ''}${(error as Error)?.message ?? String(error)}`);
}

/** Runs the exchange up to the response head (following granted redirects). */
export async function exchange(request: OutboundRequest, options: ExchangeOptions): Promise<ResponseHead> {
  const limits = limitsOf(options.grant);
  let url = parseUrl(request.url);
  let method = String(request.method).toUpperCase();
  let headers = checkHeaders(request.headers);
  let body = request.body;
  if (body instanceof Uint8Array && body.byteLength > limits.maxRequestBytes) {
    throw new HttpFailure('too-large', 'TITAN_E_HTTP_TOO_LARGE', `the request body is ${body.byteLength} bytes; the grant allows ${limits.maxRequestBytes}`);
  }
  for (let hop = 0; ; hop++) {
    const match = matchRule(options.grant, method, url);
    if ('denied' in match) throw denied(hop === 0 ? match.denied : `redirected to ${url.href}: ${match.denied}`);
    const host = hostOf(url);
    const filler = new SecretFiller(options.grant, options.secrets, host);
    const sentUrl = await filler.url(url);
    const sentHeaders = await filler.headers(headers);
    const sentBody = body instanceof Uint8Array ? await filler.body(body) : body instanceof Readable ? fillStream(body, filler) : undefined;
    const address = await resolveChecked(host, match.rule.private === true);
    if ('denied' in address) throw denied(hop === 0 ? address.denied : `redirected to ${url.href}: ${address.denied}`);
    options.signal.throwIfAborted();
    if (hop === 0) options.onConnect?.();

    const response = await send(sentUrl, method, sentHeaders, sentBody, pinnedLookup(address), options.signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (REDIRECTS.has(status) && location) {
      response.resume();
      if (hop >= limits.maxRedirects) throw new HttpFailure('connection', 'TITAN_E_HTTP_FAILED', `more than ${limits.maxRedirects} redirects`);
      const next = parseUrl(new URL(location, url).href);
      if (method === 'GET' || method === 'HEAD') {
        body = undefined;
      } else if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        headers = headers.filter(([name]) => !/^content-/i.test(name));
      } else if (body instanceof Readable) {
        throw new HttpFailure('invalid', 'TITAN_E_HTTP_INVALID', `${status} asks to send the streamed body again to ${next.href}; send it whole to follow`);
      }
      // Headers the component wrote for one origin do not follow a redirect to another.
      if (next.origin !== url.origin) headers = headers.filter(([name]) => !/^(authorization|cookie)$/i.test(name));
      url = next;
      continue;
    }
    const redactor = new StreamRedactor(filler.placed);
    const responseHeaders: Header[] = [];
    for (const [name, value] of Object.entries(response.headers)) {
      for (const one of Array.isArray(value) ? value : [value ?? '']) responseHeaders.push([name, redactor.text(one)]);
    }
    return { status, headers: responseHeaders, url: url.href, body: cappedBody(response, redactor, limits.maxResponseBytes, options, limits.timeoutMs) };
  }
}

function fillStream(body: Readable, filler: SecretFiller): Readable {
  const stream = filler.streaming();
  return Readable.from(
    (async function* () {
      for await (const chunk of body) yield await stream.push(chunk as Buffer);
      yield await stream.end();
    })(),
  );
}

function send(
  url: URL,
  method: string,
  headers: Header[],
  body: Buffer | Readable | undefined,
  lookup: ReturnType<typeof pinnedLookup>,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const { client, agent } = transport(url.protocol);
    const outgoing: Record<string, string[]> = {};
    for (const [name, value] of headers) (outgoing[name.toLowerCase()] ??= []).push(value);
    const request = client.request(url, { method, headers: outgoing, lookup, signal, agent }, resolve);
    request.on('error', reject);
    if (body instanceof Readable) {
      body.on('error', (error) => request.destroy(error));
      body.pipe(request);
    } else {
      request.end(body);
    }
  });
}

async function* cappedBody(
  response: http.IncomingMessage,
  redactor: StreamRedactor,
  cap: number,
  options: ExchangeOptions,
  timeoutMs: number,
): AsyncGenerator<Buffer> {
  let received = 0;
  try {
    for await (const chunk of response) {
      const bytes = chunk as Buffer;
      received += bytes.length;
      options.onBytes?.(bytes.length);
      if (received > cap) {
        const room = bytes.length - (received - cap);
        if (room > 0) yield redactor.push(bytes.subarray(0, room));
        yield redactor.end();
        throw new HttpFailure('too-large', 'TITAN_E_HTTP_TOO_LARGE', `the response is larger than the grant's ${cap} bytes; it was cut there`);
      }
      const out = redactor.push(bytes);
      if (out.length > 0) yield out;
    }
    const rest = redactor.end();
    if (rest.length > 0) yield rest;
  } catch (error) {
    throw failureOf(error, options.signal, timeoutMs);
  } finally {
    response.destroy();
  }
}
