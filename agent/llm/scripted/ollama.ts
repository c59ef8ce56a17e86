// Ollama /api/chat, as `ollama serve` sends it and the `ollama` SDK reads it: NDJSON lines with
// text pieces, whole tool_calls (arguments as an object, never split), then a final `done: true`
// line with done_reason and eval counts; or one JSON body when stream is false; errors as {"error": "..."}.
// Ollama streams unless the request says `"stream": false`.
import type { StopReason } from './script.ts';
import {
  contentText,
  isObject,
  lastUserText,
  parsedArguments,
  WireRequestError,
  type ErrorKind,
  type ErrorOptions,
  type ErrorResponse,
  type Frame,
  type JsonObject,
  type Reply,
  type ReplyContext,
  type RequestSummary,
  type WireFormat,
} from './wire.ts';

const DONE_REASON: Record<StopReason, string> = { end_turn: 'stop', tool_use: 'stop', max_tokens: 'length', stop_sequence: 'stop' };

const ERRORS: Record<ErrorKind, { status: number; message: string }> = {
  rate_limit: { status: 429, message: 'too many requests, please try again later' },
  overloaded: { status: 503, message: 'server busy, please try again.  maximum pending requests exceeded' },
  context_too_long: { status: 400, message: 'the input length exceeds the context length' },
  auth: { status: 401, message: 'unauthorized' },
  server_error: { status: 500, message: 'llama runner process has terminated: exit status 2' },
  invalid_request: { status: 400, message: 'invalid request' },
  not_found: { status: 404, message: 'not found' },
};

const line = (value: unknown): string => `${JSON.stringify(value)}\n`;

/** Durations in nanoseconds, derived from the scripted delays so they are deterministic. */
function counts(reply: Reply): JsonObject {
  const evalMs = reply.blocks.reduce((sum, b) => sum + b.delayMs * b.chunks.length, 0);
  return {
    total_duration: (evalMs + 2) * 1_000_000,
    load_duration: 500_000,
    prompt_eval_count: reply.usage.inputTokens,
    prompt_eval_duration: 1_000_000,
    eval_count: reply.usage.outputTokens,
    eval_duration: evalMs * 1_000_000,
  };
}

function toolCall(name: string, argumentsJson: string): JsonObject {
  return { function: { name, arguments: parsedArguments(argumentsJson) } };
}

export const ollama: WireFormat = {
  route: 'ollama',
  streamContentType: 'application/x-ndjson',

  summarize(body: JsonObject): RequestSummary {
    if (typeof body.model !== 'string' || body.model === '') throw new WireRequestError('model is required');
    if (body.messages !== undefined && !Array.isArray(body.messages)) throw new WireRequestError('messages: expected an array');
    const messages = Array.isArray(body.messages) ? body.messages.filter(isObject) : [];
    const last = messages.at(-1);
    let promptChars = 0;
    for (const m of messages) promptChars += contentText(m.content).length;
    const stop = isObject(body.options) ? body.options.stop : undefined;
    return {
      model: body.model,
      stream: body.stream !== false,
      includeUsage: true,
      lastUserText: lastUserText(messages, contentText),
      lastMessageText: last ? contentText(last.content) : '',
      promptChars,
      stopSequences: Array.isArray(stop) ? stop.filter((s) => typeof s === 'string') : [],
    };
  },

  frames(reply: Reply, ctx: ReplyContext): Frame[] {
    const head = { model: reply.model, created_at: new Date(ctx.startedWallMs).toISOString() };
    const frames: Frame[] = [];
    for (const block of reply.blocks) {
      if (block.type === 'text') {
        for (const content of block.chunks) {
          frames.push({ data: line({ ...head, message: { role: 'assistant', content }, done: false }), content: true, tail: false, delayMs: block.delayMs });
        }
      } else {
        const message = { role: 'assistant', content: '', tool_calls: [toolCall(block.name, block.argumentsJson)] };
        frames.push({ data: line({ ...head, message, done: false }), content: true, tail: false, delayMs: block.delayMs });
      }
    }
    const done = { ...head, message: { role: 'assistant', content: '' }, done: true, done_reason: DONE_REASON[reply.stop], ...counts(reply) };
    frames.push({ data: line(done), content: false, tail: true, delayMs: 0 });
    return frames;
  },

  whole(reply: Reply, ctx: ReplyContext): unknown {
    const text = reply.blocks.map((b) => (b.type === 'text' ? b.chunks.join('') : '')).join('');
    const calls = reply.blocks.flatMap((b) => (b.type === 'tool_call' ? [toolCall(b.name, b.argumentsJson)] : []));
    return {
      model: reply.model,
      created_at: new Date(ctx.startedWallMs).toISOString(),
      message: { role: 'assistant', content: text, ...(calls.length > 0 ? { tool_calls: calls } : {}) },
      done: true,
      done_reason: DONE_REASON[reply.stop],
      ...counts(reply),
    };
  },

  error(kind: ErrorKind, options: ErrorOptions = {}): ErrorResponse {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (kind === 'rate_limit' || options.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds ?? 1);
    return { status: options.status ?? ERRORS[kind].status, headers, body: { error: options.message ?? ERRORS[kind].message } };
  },

  streamError(kind: ErrorKind, message?: string): string {
    return line({ error: message ?? ERRORS[kind].message });
  },

  malformed(raw?: string): string {
    return `${raw ?? '{"model":"titan","message":{"role":"assistant","content":"cut'}\n`;
  },
};
