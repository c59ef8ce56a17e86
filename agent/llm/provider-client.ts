// One streamed chat with one provider. The provider component (sans-IO) encodes the request and
// decodes the body; this side does the HTTP: it adds the API key at the boundary (the component
// never sees it), POSTs it (provider-http.ts), and hands the body to decode-stream chunk by chunk as it
// arrives, yielding each LLM event the moment it is decoded.
import { failed, openSpan, SpanKind } from '../../kernel/api.ts';
import { TitanError, type ErrorCode } from '../../common/errors.ts';
import type { ChatRequest, DecodedError, LlmEvent, ProviderErrorCode } from '../loop/llm-types.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { withManifestDefaults } from './provider-defaults.ts';
import { send, type ProviderResponse } from './provider-http.ts';

export type ProviderConfig = {
  /** What the provider is called in errors, statuses and failover: "openai", "anthropic", "ollama", "scripted"... */
  name: string;
  /** The provider component that speaks its wire format: the slot provider/<component>. */
  component: string;
  /** Where the component's paths are appended: https://api.openai.com/v1, https://api.anthropic.com, http://127.0.0.1:11434. */
  baseUrl: string;
  model: string;
  /** The environment variable holding the API key; read on each request, sent only in a header. */
  apiKeyEnv?: string;
  /** How the key is sent; default: x-api-key for the anthropic component, Authorization: Bearer otherwise. */
  keyHeader?: 'authorization' | 'x-api-key' | 'api-key';
};

/** What the client needs of the kernel: calls into the provider components, and their manifests' defaults. */
export type ComponentCaller = Pick<Kernel, 'call'> & Partial<Pick<Kernel, 'serving'>>;

export type ProviderStreamOptions = {
  signal?: AbortSignal;
  /** Where API keys are read from; default process.env. */
  env?: Record<string, string | undefined>;
  /** Sends the request instead of node:http (tests play recorded streams through one). */
  fetch?: typeof fetch;
  /** No byte from the provider for this long (before the headers or between chunks) ends the request; default 120 s. */
  idleTimeoutMs?: number;
};

type HttpRequest = { method: string; path: string; headers: Array<[string, string]>; body: string };
type Decoded = { state: string; events: LlmEvent[] };

const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
const MAX_ERROR_BODY = 64 * 1024;
const EVENT_TYPES = new Set(['text', 'tool_call', 'usage', 'stop', 'error']);
/** Headers a provider component may not set: the host owns credentials and the connection. */
const HOST_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'cookie', 'host', 'content-length', 'connection']);

export const ERROR_CODES: Record<ProviderErrorCode, ErrorCode> = {
  rate_limited: 'TITAN_E_PROVIDER_RATE_LIMITED',
  overloaded: 'TITAN_E_PROVIDER_OVERLOADED',
  context_too_long: 'TITAN_E_PROVIDER_CONTEXT_TOO_LONG',
  auth: 'TITAN_E_PROVIDER_AUTH',
  bad_request: 'TITAN_E_PROVIDER_BAD_REQUEST',
  server: 'TITAN_E_PROVIDER_UNAVAILABLE',
};

const SERVER_FIX = 'the provider answered with a server error: retry later, or configure a fallback provider';

/** The wait a provider asked for (retry-after), when the error carries one. */
export function retryAfterOf(error: TitanError): number | undefined {
  const value = error.details?.retryAfterMs;
  return typeof value === 'number' ? value : undefined;
}

/** A provider's coded error as a TitanError; `how` says where it came from ("answered 429", "said in the stream"). */
export function providerError(provider: ProviderConfig, decoded: DecodedError, how: string, details: Record<string, unknown> = {}): TitanError {
  const code = ERROR_CODES[decoded.code] ?? 'TITAN_E_PROVIDER_UNAVAILABLE';
  return new TitanError(code, `${provider.name} ${how}: ${decoded.message}`, {
    fix: decoded.code === 'server' ? SERVER_FIX : undefined,
    details: {
      provider: provider.name,
      providerCode: decoded.code,
      ...(decoded.retry_after_ms === undefined ? {} : { retryAfterMs: decoded.retry_after_ms }),
      ...details,
    },
  });
}

/** A call into the provider component; its decode and invalid-request answers become provider codes. */
async function callComponent(kernel: ComponentCaller, provider: ProviderConfig, fn: string, args: unknown[]): Promise<unknown> {
  try {
    return await kernel.call('provider', provider.component, fn, args);
  } catch (error) {
    if (!(error instanceof TitanError) || error.code !== 'TITAN_E_COMPONENT_ERROR') throw error;
    const payload = error.details?.payload as { tag?: string; val?: string } | undefined;
    if (payload?.tag === 'decode') {
      throw new TitanError('TITAN_E_PROVIDER_STREAM', `${provider.name} sent something its decoder cannot read: ${payload.val}`, {
        details: { provider: provider.name },
        cause: error,
      });
    }
    if (payload?.tag === 'invalid-request') {
      throw new TitanError('TITAN_E_PROVIDER_BAD_REQUEST', `the request cannot be sent to ${provider.name}: ${payload.val}`, {
        details: { provider: provider.name },
        cause: error,
      });
    }
    throw error;
  }
}

function requestUrl(provider: ProviderConfig, encoded: HttpRequest): URL {
  const base = provider.baseUrl.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(base + encoded.path);
  } catch {
    throw new TitanError('TITAN_E_CONFIG_INVALID', `${provider.name}: "${provider.baseUrl}" + "${encoded.path}" is not a URL`);
  }
  // The key goes wherever this URL points: the component chooses the path, never the server.
  if (!encoded.path.startsWith('/') || url.origin !== new URL(base).origin) {
    throw new TitanError('TITAN_E_COMPONENT_ERROR', `provider/${provider.component} asked for ${encoded.path}, outside the base URL ${provider.baseUrl}`);
  }
  return url;
}

function requestHeaders(provider: ProviderConfig, encoded: HttpRequest, env: Record<string, string | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of encoded.headers) if (!HOST_HEADERS.has(name.toLowerCase())) headers.append(name, value);
  if (provider.apiKeyEnv) {
    const key = env[provider.apiKeyEnv];
    if (!key) {
      throw new TitanError('TITAN_E_PROVIDER_AUTH', `${provider.apiKeyEnv} is not set: ${provider.name} needs an API key`, {
        details: { provider: provider.name },
      });
    }
    const header = provider.keyHeader ?? (provider.component === 'anthropic' ? 'x-api-key' : 'authorization');
    headers.set(header, header === 'authorization' ? `Bearer ${key}` : key);
  }
  return headers;
}

function headerList(headers: Headers): Array<[string, string]> {
  const list: Array<[string, string]> = [];
  headers.forEach((value, name) => {
    list.push([name, value]);
  });
  return list;
}

/** Up to 64 KB of an error body: enough for any provider's error, bounded whatever is sent. */
async function errorBody(response: ProviderResponse): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < MAX_ERROR_BODY) {
      const chunk = await response.read();
      if (!chunk) break;
      text += decoder.decode(chunk, { stream: true });
    }
  } catch {
    // what arrived is enough to tell the error
  } finally {
    response.cancel();
  }
  return text.slice(0, MAX_ERROR_BODY);
}

/** Raised into the request when no byte came for idleTimeoutMs. */
class IdleTimeout extends Error {}

/** A timer re-armed on each wait for the provider; firing aborts the request. */
function idleTimer(ms: number, controller: AbortController) {
  let timer: NodeJS.Timeout | undefined;
  return {
    arm() {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new IdleTimeout(`no data for ${ms} ms`)), ms);
    },
    disarm() {
      clearTimeout(timer);
    },
  };
}

function causeText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Streams one chat from one provider: yields text, tool_call, usage and stop events as they are
 * decoded, then ends after the stop event. Errors are TitanErrors: an HTTP error by its decoded
 * code (TITAN_E_PROVIDER_RATE_LIMITED...), an error event in the stream the same way (after the
 * events before it), a body that ends before the stop event or a cut connection
 * TITAN_E_PROVIDER_STREAM, an aborted signal TITAN_E_INTERRUPTED (the HTTP stream stops at once).
 */
/** The provider's stream as one span (CLIENT) over the whole answer; the component calls that encode
 * the request and decode the stream nest under it. */
export async function* streamProvider(
  kernel: ComponentCaller,
  provider: ProviderConfig,
  request: ChatRequest,
  options: ProviderStreamOptions = {},
): AsyncGenerator<LlmEvent, void, undefined> {
  provider = withManifestDefaults(kernel, provider);
  const traced = openSpan(
    `provider ${provider.name}`,
    { 'titan.provider': provider.name, 'gen_ai.request.model': provider.model || request.model },
    SpanKind.CLIENT,
  );
  if (!traced) return yield* streamUntraced(kernel, provider, request, options);
  const caller: ComponentCaller = { call: (...args) => traced.within(() => kernel.call(...args)) };
  let events = 0;
  try {
    for await (const event of streamUntraced(caller, provider, request, options)) {
      events++;
      yield event;
    }
  } catch (error) {
    failed(traced.span, error);
    throw error;
  } finally {
    traced.span.setAttribute('titan.provider.events', events);
    traced.span.end();
  }
}

async function* streamUntraced(
  kernel: ComponentCaller,
  provider: ProviderConfig,
  request: ChatRequest,
  options: ProviderStreamOptions = {},
): AsyncGenerator<LlmEvent, void, undefined> {
  const { signal } = options;
  const interrupted = () => new TitanError('TITAN_E_INTERRUPTED', `the request to ${provider.name} was cancelled`, { details: { provider: provider.name } });
  if (signal?.aborted) throw interrupted();
  const model = provider.model || request.model;
  // The tools first: they rarely change between requests, and a component may keep their encoding
  // for a request that starts with the same text (the openai component does).
  const { tools, ...rest } = request;
  const encoded = (await callComponent(kernel, provider, 'encode-request', [JSON.stringify({ tools, ...rest, model })])) as HttpRequest;
  const url = requestUrl(provider, encoded);
  const headers = requestHeaders(provider, encoded, options.env ?? process.env);

  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const idle = idleTimer(idleMs, controller);
  let delivered = 0;
  let response: ProviderResponse | undefined;
  let complete = false;
  const failure = (error: unknown, cut: boolean): TitanError => {
    if (signal?.aborted) return interrupted();
    const details = { provider: provider.name, eventsBefore: delivered };
    if (controller.signal.reason instanceof IdleTimeout) {
      return new TitanError(cut ? 'TITAN_E_PROVIDER_STREAM' : 'TITAN_E_PROVIDER_UNAVAILABLE', `${provider.name} sent nothing for ${idleMs} ms`, {
        details,
        cause: error,
      });
    }
    if (cut)
      return new TitanError('TITAN_E_PROVIDER_STREAM', `the connection to ${provider.name} was cut after ${delivered} events (${causeText(error)})`, {
        details,
        cause: error,
      });
    return new TitanError('TITAN_E_PROVIDER_UNAVAILABLE', `cannot reach ${provider.name} at ${url.origin} (${causeText(error)})`, { details, cause: error });
  };

  try {
    // Cancelled while the request was being encoded.
    if (signal?.aborted) throw interrupted();
    try {
      idle.arm();
      response = await send(
        url,
        { method: encoded.method, headers, body: encoded.method === 'GET' ? undefined : encoded.body, signal: controller.signal },
        options.fetch,
      );
    } catch (error) {
      throw failure(error, false);
    } finally {
      idle.disarm();
    }
    if (response.status < 200 || response.status > 299) {
      const body = await errorBody(response);
      const decoded = JSON.parse(
        (await callComponent(kernel, provider, 'decode-error', [response.status, headerList(response.headers), body])) as string,
      ) as DecodedError;
      throw providerError(provider, decoded, `answered ${response.status}`, { status: response.status });
    }
    if (!response.hasBody)
      throw new TitanError('TITAN_E_PROVIDER_STREAM', `${provider.name} answered ${response.status} without a body`, { details: { provider: provider.name } });

    let state = '';
    const decode = async (text: string): Promise<LlmEvent[]> => {
      const out = JSON.parse((await callComponent(kernel, provider, 'decode-stream', [state, text])) as string) as Decoded;
      state = out.state;
      return out.events;
    };
    // stream: true keeps a character whose bytes are split across chunks whole.
    const decoder = new TextDecoder();
    while (true) {
      let chunk: Uint8Array | undefined;
      try {
        idle.arm();
        chunk = await response.read();
      } catch (error) {
        throw failure(error, true);
      } finally {
        idle.disarm();
      }
      // The end of the body: a final blank line completes a last line or event sent without its end.
      const text = chunk === undefined ? `${decoder.decode()}\n\n` : decoder.decode(chunk, { stream: true });
      if (text !== '') {
        for (const event of await decode(text)) {
          if (typeof event !== 'object' || event === null || !EVENT_TYPES.has(event.type)) {
            throw new TitanError(
              'TITAN_E_COMPONENT_ERROR',
              `provider/${provider.component} decoded an event Titan does not know: ${JSON.stringify(event).slice(0, 200)}`,
            );
          }
          if (event.type === 'error') {
            throw providerError(provider, { code: event.code, message: event.message }, 'said in the stream', { inStream: true, eventsBefore: delivered });
          }
          delivered++;
          // Set before the yield: a caller that stops reading at the stop still lets the body drain.
          if (event.type === 'stop') complete = true;
          yield event;
          if (complete) return;
        }
      }
      if (chunk === undefined) break;
    }
    throw new TitanError('TITAN_E_PROVIDER_STREAM', `${provider.name}'s answer ended before it was complete (${delivered} events arrived, no stop)`, {
      details: { provider: provider.name, eventsBefore: delivered },
    });
  } finally {
    idle.disarm();
    signal?.removeEventListener('abort', onAbort);
    // After the stop, what is left of the body (OpenAI's [DONE]) is read in the background, so
    // the connection goes back to the pool for the next request instead of being cut. In every
    // other case (the caller left early, was cancelled, an error) the HTTP stream stops now.
    if (complete && response) drain(response, controller);
    else controller.abort();
  }
}

const DRAIN_LIMIT_MS = 2_000;

/** Reads a body to its end, unawaited; one that does not end soon is cut. */
function drain(response: ProviderResponse, controller: AbortController): void {
  const timer = setTimeout(() => controller.abort(), DRAIN_LIMIT_MS);
  timer.unref();
  const next = (): Promise<void> => response.read().then((chunk) => (chunk === undefined ? undefined : next()));
  next()
    .catch(() => {})
    .finally(() => clearTimeout(timer));
}
