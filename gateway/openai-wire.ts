// What Titan sends back in OpenAI's wire format: one answer sink with two faces. Streamed, SSE
// `chat.completion.chunk` frames (the role first, then content and tool_calls deltas, the
// finish_reason, a usage chunk when asked, `data: [DONE]`); whole, one `chat.completion`. Errors
// are OpenAI-shaped bodies with Titan's code beside OpenAI's; once a stream has started, an error
// is an in-band `data: {"error": ...}` frame, which the openai SDK throws as an APIError.
import type { ServerResponse } from 'node:http';
import type { Context } from 'koa';
import { ERRORS, TitanError, type ErrorCode } from '../common/errors.ts';

export type FinishReason = 'stop' | 'length' | 'tool_calls';
export type Usage = { input_tokens: number; output_tokens: number };

/** Titan's stop reasons (end_turn, tool_use, max_tokens, stop_sequence) as OpenAI's finish_reason. */
export function finishReason(stopReason: string, calledTools: boolean): FinishReason {
  if (stopReason === 'max_tokens') return 'length';
  return stopReason === 'tool_use' || calledTools ? 'tool_calls' : 'stop';
}

function usageOf(usage: Usage | undefined) {
  // Unknown (a model that reported none) is zero, so cost-counting clients still get numbers.
  const prompt = usage?.input_tokens ?? 0;
  const completion = usage?.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

// ---- errors ----------------------------------------------------------------------------------

/** Codes OpenAI itself uses for the same situation; clients branch on these. Others carry Titan's code. */
const OPENAI_CODES: Partial<Record<ErrorCode, string>> = {
  TITAN_E_PROVIDER_CONTEXT_TOO_LONG: 'context_length_exceeded',
  TITAN_E_PROVIDER_RATE_LIMITED: 'rate_limit_exceeded',
};

/** Statuses that differ from errors.ts: a provider refusing Titan's own key is Titan's fault, not the
 * client's credentials (a 401 would send the user checking the wrong token). */
const STATUS_OVERRIDES: Partial<Record<ErrorCode, number>> = { TITAN_E_PROVIDER_AUTH: 502 };

function typeOf(status: number): string {
  if (status >= 500) return 'server_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  return 'invalid_request_error';
}

export type OpenAiErrorBody = {
  error: { message: string; type: string; param: string | null; code: string; titan_code: string; fix?: string };
};

export type OpenAiError = { status: number; headers: Record<string, string>; body: OpenAiErrorBody };

/** Any thrown value as an OpenAI error: TitanErrors by their code, HTTP errors (body parser) by status, anything else a 500. */
export function openAiError(error: unknown): OpenAiError {
  // Titan already retried the provider with backoff and failover, and an agent turn has side
  // effects (a stored message): the SDK must not send the request again on its own.
  const headers: Record<string, string> = { 'x-should-retry': 'false' };
  if (error instanceof TitanError) {
    const status = STATUS_OVERRIDES[error.code] ?? error.status;
    const details = error.details ?? {};
    const retryAfterMs = details.retryAfterMs;
    if (typeof retryAfterMs === 'number') headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
    const openaiCode = typeof details.openaiCode === 'string' ? details.openaiCode : OPENAI_CODES[error.code];
    const param = typeof details.param === 'string' ? details.param : null;
    // The CLI's generic advice ("run npx titan help") means nothing to an HTTP client.
    const fix = error.code === 'TITAN_E_USAGE' && error.fix === ERRORS.TITAN_E_USAGE.fix ? undefined : error.fix;
    return {
      status,
      headers,
      body: { error: { message: error.message, type: typeOf(status), param, code: openaiCode ?? error.code, titan_code: error.code, ...(fix ? { fix } : {}) } },
    };
  }
  // The body parser's errors (co-body, raw-body): a 4xx about the request itself, safe to show.
  const http = error as { status?: unknown; message?: unknown };
  if (typeof http?.status === 'number' && http.status >= 400 && http.status < 500) {
    const cause = typeof http.message === 'string' ? http.message : 'bad request';
    const message = error instanceof SyntaxError ? `the request body is not valid JSON: ${cause}` : cause;
    return {
      status: http.status,
      headers,
      body: { error: { message, type: typeOf(http.status), param: null, code: 'TITAN_E_USAGE', titan_code: 'TITAN_E_USAGE' } },
    };
  }
  return {
    status: 500,
    headers,
    body: {
      error: {
        message: 'Titan failed to answer this request; the kernel log has the cause',
        type: 'server_error',
        param: null,
        code: 'TITAN_E_INTERNAL',
        titan_code: 'TITAN_E_INTERNAL',
      },
    },
  };
}

export function respondError(ctx: Context, error: unknown): OpenAiError {
  const mapped = openAiError(error);
  ctx.status = mapped.status;
  ctx.set(mapped.headers);
  ctx.body = mapped.body;
  return mapped;
}

// ---- answers ---------------------------------------------------------------------------------

/** answeredBy: "reflex:<name>@<version>" or "shadow" when no model answered; sent as `titan_answered_by`. */
export type AnswerMeta = { id: string; created: number; model: string; includeUsage: boolean; answeredBy?: string };

type Call = { index: number; id: string; name: string; arguments: string };

/** Where a mode puts the model's answer; streamed or whole, the mode code is the same. */
export abstract class Answer {
  readonly meta: AnswerMeta;
  protected readonly ctx: Context;
  protected readonly calls = new Map<number, Call>();
  protected content = '';

  constructor(ctx: Context, meta: AnswerMeta) {
    this.ctx = ctx;
    this.meta = meta;
  }

  /** Commits to answering: a stream sends its headers and the role chunk. Later errors go in-band. */
  abstract open(): void;
  abstract text(delta: string): Promise<void>;
  /** A piece of a tool call; `index` is the provider's, renumbered densely in order of appearance. */
  abstract toolCall(index: number, id: string | undefined, name: string | undefined, argumentsDelta: string): Promise<void>;
  abstract finish(stopReason: string, usage: Usage | undefined): Promise<void>;
  abstract fail(error: unknown): OpenAiError;
  /** Called last, whatever happened: a stream left open (the client went away) is closed. */
  close(): void {}

  protected call(index: number, id: string | undefined, name: string | undefined, argumentsDelta: string): { call: Call; first: boolean } {
    let call = this.calls.get(index);
    const first = call === undefined;
    if (!call) {
      call = { index: this.calls.size, id: id || `call_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`, name: name ?? '', arguments: '' };
      this.calls.set(index, call);
    }
    if (!call.name && name) call.name = name;
    call.arguments += argumentsDelta;
    return { call, first };
  }
}

/** One `chat.completion` once the answer is whole. */
export class WholeAnswer extends Answer {
  open(): void {}

  async text(delta: string): Promise<void> {
    this.content += delta;
  }

  async toolCall(index: number, id: string | undefined, name: string | undefined, argumentsDelta: string): Promise<void> {
    this.call(index, id, name, argumentsDelta);
  }

  async finish(stopReason: string, usage: Usage | undefined): Promise<void> {
    const calls = [...this.calls.values()];
    const message = {
      role: 'assistant',
      content: this.content === '' && calls.length > 0 ? null : this.content,
      refusal: null,
      ...(calls.length > 0 ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
    };
    this.ctx.status = 200;
    this.ctx.body = {
      id: this.meta.id,
      object: 'chat.completion',
      created: this.meta.created,
      model: this.meta.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(stopReason, calls.length > 0) }],
      usage: usageOf(usage),
      ...(this.meta.answeredBy ? { titan_answered_by: this.meta.answeredBy } : {}),
    };
  }

  fail(error: unknown): OpenAiError {
    return respondError(this.ctx, error);
  }
}

const KEEP_ALIVE_MS = 15_000;

/**
 * Opens an SSE answer on the socket (Koa steps aside) for both OpenAI wires; returns the keep-alive
 * timer writing comments through `write`, to clear when the answer ends.
 */
export function openEventStream(ctx: Context, write: (text: string) => void): NodeJS.Timeout {
  ctx.respond = false;
  const res = ctx.res;
  res.statusCode = 200;
  res.setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('cache-control', 'no-cache');
  // Proxies (nginx) would otherwise hold the deltas back.
  res.setHeader('x-accel-buffering', 'no');
  res.flushHeaders();
  ctx.req.socket.setNoDelay(true);
  // A turn can wait minutes for an approval given elsewhere: comments keep idle proxies from cutting it.
  const keepAlive = setInterval(() => write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  keepAlive.unref();
  return keepAlive;
}

/** Resolves once the socket drains after a write it could not take at once, or closes. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** SSE chunks written straight to the socket (Koa steps aside), with backpressure. */
export class StreamAnswer extends Answer {
  #opened = false;
  #ended = false;
  #keepAlive: NodeJS.Timeout | undefined;

  get #res(): ServerResponse {
    return this.ctx.res;
  }

  open(): void {
    if (this.#opened) return;
    this.#opened = true;
    this.#keepAlive = openEventStream(this.ctx, (text) => this.#write(text));
    this.#write(this.#chunk({ role: 'assistant', content: '', refusal: null }));
  }

  async text(delta: string): Promise<void> {
    this.open();
    this.content += delta;
    await this.#send(this.#chunk({ content: delta }));
  }

  async toolCall(index: number, id: string | undefined, name: string | undefined, argumentsDelta: string): Promise<void> {
    this.open();
    const { call, first } = this.call(index, id, name, argumentsDelta);
    const delta = first
      ? { index: call.index, id: call.id, type: 'function', function: { name: call.name, arguments: argumentsDelta } }
      : { index: call.index, function: { arguments: argumentsDelta } };
    if (!first && argumentsDelta === '') return;
    await this.#send(this.#chunk({ tool_calls: [delta] }));
  }

  async finish(stopReason: string, usage: Usage | undefined): Promise<void> {
    this.open();
    await this.#send(this.#chunk({}, finishReason(stopReason, this.calls.size > 0)));
    if (this.meta.includeUsage) await this.#send(this.#frame({ ...this.#base(), choices: [], usage: usageOf(usage) }));
    this.#end('data: [DONE]\n\n');
  }

  fail(error: unknown): OpenAiError {
    if (!this.#opened) return respondError(this.ctx, error);
    const mapped = openAiError(error);
    this.#end(this.#frame(mapped.body));
    return mapped;
  }

  override close(): void {
    if (this.#opened) this.#end('');
  }

  #base() {
    return {
      id: this.meta.id,
      object: 'chat.completion.chunk',
      created: this.meta.created,
      model: this.meta.model,
      ...(this.meta.answeredBy ? { titan_answered_by: this.meta.answeredBy } : {}),
    };
  }

  #chunk(delta: Record<string, unknown>, finish: FinishReason | null = null): string {
    const usage = this.meta.includeUsage ? { usage: null } : {};
    return this.#frame({ ...this.#base(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usage });
  }

  #frame(value: unknown): string {
    return `data: ${JSON.stringify(value)}\n\n`;
  }

  /** False when the socket would rather not take more now. */
  #write(data: string): boolean {
    const res = this.#res;
    if (this.#ended || res.destroyed || res.writableEnded) return true;
    return res.write(data);
  }

  async #send(data: string): Promise<void> {
    if (this.#write(data)) return;
    await drained(this.#res);
  }

  #end(data: string): void {
    clearInterval(this.#keepAlive);
    if (this.#ended) return;
    this.#ended = true;
    const res = this.#res;
    if (!res.destroyed && !res.writableEnded) res.end(data);
  }
}
