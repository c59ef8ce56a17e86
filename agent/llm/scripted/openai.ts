// OpenAI Chat Completions, as api.openai.com sends it and the `openai` SDK reads it:
// SSE `chat.completion.chunk` events (tool-call arguments in many deltas), an optional final usage
// chunk, `data: [DONE]`; or one `chat.completion` JSON body; errors as {"error": {...}}.
import type { StopReason } from './script.ts';
import {
  contentText,
  isObject,
  lastUserText,
  messagesOf,
  sse,
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

const FINISH: Record<StopReason, string> = { end_turn: 'stop', tool_use: 'tool_calls', max_tokens: 'length', stop_sequence: 'stop' };

const ERRORS: Record<ErrorKind, { status: number; type: string; code: string | null; param: string | null; message: string }> = {
  rate_limit: {
    status: 429,
    type: 'tokens',
    code: 'rate_limit_exceeded',
    param: null,
    message:
      'Rate limit reached for requests in organization org-titan on tokens per min (TPM): Limit 30000, Used 30000, Requested 512. Please try again in 1s. Visit https://platform.openai.com/account/rate-limits to learn more.',
  },
  overloaded: {
    status: 503,
    type: 'server_error',
    code: null,
    param: null,
    message: 'The engine is currently overloaded, please try again later.',
  },
  context_too_long: {
    status: 400,
    type: 'invalid_request_error',
    code: 'context_length_exceeded',
    param: 'messages',
    message:
      "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.",
  },
  auth: {
    status: 401,
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    param: null,
    message: 'Incorrect API key provided: sk-titan***. You can find your API key at https://platform.openai.com/account/api-keys.',
  },
  server_error: {
    status: 500,
    type: 'server_error',
    code: null,
    param: null,
    message: 'The server had an error while processing your request. Sorry about that!',
  },
  invalid_request: { status: 400, type: 'invalid_request_error', code: null, param: null, message: 'Invalid request.' },
  not_found: { status: 404, type: 'invalid_request_error', code: 'unknown_url', param: null, message: 'Unknown request URL.' },
};

function usageOf(reply: Reply): JsonObject {
  const { inputTokens, outputTokens } = reply.usage;
  return {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function toolCallId(ctx: ReplyContext, index: number, id: string | undefined): string {
  return id ?? `call_titan${ctx.requestId}x${index}`;
}

function errorObject(kind: ErrorKind, message?: string): JsonObject {
  const spec = ERRORS[kind];
  return { message: message ?? spec.message, type: spec.type, param: spec.param, code: spec.code };
}

export const openai: WireFormat = {
  route: 'openai',
  streamContentType: 'text/event-stream; charset=utf-8',

  summarize(body: JsonObject): RequestSummary {
    if (typeof body.model !== 'string') throw new WireRequestError('you must provide a model parameter');
    const messages = messagesOf(body);
    const streamOptions = isObject(body.stream_options) ? body.stream_options : {};
    const last = messages.at(-1);
    let promptChars = 0;
    for (const m of messages) promptChars += contentText(m.content).length;
    return {
      model: body.model,
      stream: body.stream === true,
      includeUsage: streamOptions.include_usage === true,
      lastUserText: lastUserText(messages, contentText),
      lastMessageText: last ? contentText(last.content) : '',
      promptChars,
      stopSequences: typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop.filter((s) => typeof s === 'string') : [],
    };
  },

  frames(reply: Reply, ctx: ReplyContext): Frame[] {
    const base = {
      id: `chatcmpl-titan${ctx.requestId}`,
      object: 'chat.completion.chunk',
      created: Math.floor(ctx.startedWallMs / 1000),
      model: reply.model,
      service_tier: 'default',
      system_fingerprint: 'fp_titan',
      ...(ctx.summary.includeUsage ? { usage: null } : {}),
    };
    const chunk = (delta: JsonObject, finish: string | null = null) =>
      sse(JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }));
    const frames: Frame[] = [{ data: chunk({ role: 'assistant', content: '', refusal: null }), content: false, tail: false, delayMs: 0 }];
    let toolIndex = 0;
    for (const block of reply.blocks) {
      if (block.type === 'text') {
        for (const text of block.chunks) frames.push({ data: chunk({ content: text }), content: true, tail: false, delayMs: block.delayMs });
        continue;
      }
      const index = toolIndex++;
      const start = { index, id: toolCallId(ctx, index, block.id), type: 'function', function: { name: block.name, arguments: '' } };
      frames.push({ data: chunk({ tool_calls: [start] }), content: false, tail: false, delayMs: 0 });
      for (const piece of block.chunks) {
        const delta = { tool_calls: [{ index, function: { arguments: piece } }] };
        frames.push({ data: chunk(delta), content: true, tail: false, delayMs: block.delayMs });
      }
    }
    frames.push({ data: chunk({}, FINISH[reply.stop]), content: false, tail: true, delayMs: 0 });
    if (ctx.summary.includeUsage) {
      frames.push({ data: sse(JSON.stringify({ ...base, choices: [], usage: usageOf(reply) })), content: false, tail: true, delayMs: 0 });
    }
    frames.push({ data: sse('[DONE]'), content: false, tail: true, delayMs: 0 });
    return frames;
  },

  whole(reply: Reply, ctx: ReplyContext): unknown {
    const text = reply.blocks.map((b) => (b.type === 'text' ? b.chunks.join('') : '')).join('');
    const calls = reply.blocks.flatMap((b) => (b.type === 'tool_call' ? [b] : []));
    const message: JsonObject = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text, refusal: null, annotations: [] };
    if (calls.length > 0) {
      message.tool_calls = calls.map((call, index) => ({
        id: toolCallId(ctx, index, call.id),
        type: 'function',
        function: { name: call.name, arguments: call.argumentsJson },
      }));
    }
    return {
      id: `chatcmpl-titan${ctx.requestId}`,
      object: 'chat.completion',
      created: Math.floor(ctx.startedWallMs / 1000),
      model: reply.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH[reply.stop] }],
      usage: usageOf(reply),
      service_tier: 'default',
      system_fingerprint: 'fp_titan',
    };
  },

  error(kind: ErrorKind, options: ErrorOptions = {}): ErrorResponse {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (kind === 'rate_limit') {
      const seconds = options.retryAfterSeconds ?? 1;
      Object.assign(headers, {
        'retry-after': String(seconds),
        'x-ratelimit-limit-requests': '500',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': `${seconds}s`,
      });
    } else if (options.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds);
    if (options.retryable === false) headers['x-should-retry'] = 'false';
    return { status: options.status ?? ERRORS[kind].status, headers, body: { error: errorObject(kind, options.message) } };
  },

  streamError(kind: ErrorKind, message?: string): string {
    return sse(JSON.stringify({ error: errorObject(kind, message) }));
  },

  malformed(raw?: string): string {
    return sse(raw ?? '{"id":"chatcmpl-titan","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"cut');
  },
};
