// Anthropic Messages, as api.anthropic.com sends it and `@anthropic-ai/sdk` reads it:
// SSE message_start, content_block_start, ping, content_block_delta (text_delta, input_json_delta),
// content_block_stop, message_delta (stop_reason, usage), message_stop; or one `message` JSON body;
// errors as {"type":"error","error":{type,message}} with request-id and x-should-retry headers.
import type { StopReason } from './script.ts';
import {
  contentText,
  isObject,
  lastUserText,
  messagesOf,
  parsedArguments,
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

const STOP: Record<StopReason, string> = { end_turn: 'end_turn', tool_use: 'tool_use', max_tokens: 'max_tokens', stop_sequence: 'stop_sequence' };

const ERRORS: Record<ErrorKind, { status: number; type: string; message: string; retry: boolean }> = {
  rate_limit: {
    status: 429,
    type: 'rate_limit_error',
    retry: true,
    message:
      'This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.',
  },
  overloaded: { status: 529, type: 'overloaded_error', retry: true, message: 'Overloaded' },
  context_too_long: { status: 400, type: 'invalid_request_error', retry: false, message: 'prompt is too long: 208310 tokens > 200000 maximum' },
  auth: { status: 401, type: 'authentication_error', retry: false, message: 'invalid x-api-key' },
  server_error: { status: 500, type: 'api_error', retry: true, message: 'Internal server error' },
  invalid_request: { status: 400, type: 'invalid_request_error', retry: false, message: 'Invalid request' },
  not_found: { status: 404, type: 'not_found_error', retry: false, message: 'Not found' },
};

/** Text blocks of a user message only (tool results are not what the user typed). */
function userText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.flatMap((b) => (isObject(b) && b.type === 'text' && typeof b.text === 'string' ? [b.text] : [])).join('\n');
}

function onlyToolResults(content: unknown): boolean {
  return Array.isArray(content) && content.length > 0 && content.every((b) => isObject(b) && b.type === 'tool_result');
}

function toolUseId(ctx: ReplyContext, index: number, id: string | undefined): string {
  return id ?? `toolu_titan${ctx.requestId}x${index}`;
}

function stopSequence(reply: Reply, ctx: ReplyContext): string | null {
  return reply.stop === 'stop_sequence' ? (ctx.summary.stopSequences[0] ?? null) : null;
}

function errorBody(kind: ErrorKind, message: string | undefined, requestId: string): JsonObject {
  return { type: 'error', error: { type: ERRORS[kind].type, message: message ?? ERRORS[kind].message }, request_id: requestId };
}

let errorCount = 0;

export const anthropic: WireFormat = {
  route: 'anthropic',
  streamContentType: 'text/event-stream; charset=utf-8',

  summarize(body: JsonObject): RequestSummary {
    if (typeof body.model !== 'string') throw new WireRequestError('model: Field required');
    if (typeof body.max_tokens !== 'number') throw new WireRequestError('max_tokens: Field required');
    const messages = messagesOf(body);
    const last = messages.at(-1);
    let promptChars = contentText(body.system).length;
    for (const m of messages) promptChars += contentText(m.content).length;
    return {
      model: body.model,
      stream: body.stream === true,
      includeUsage: true,
      // A user message made only of tool results is the tool loop, not the user typing: skip it,
      // so lastUserText means the same as with OpenAI (whose tool results have role "tool").
      lastUserText: lastUserText(
        messages.filter((m) => !onlyToolResults(m.content)),
        userText,
      ),
      lastMessageText: last ? contentText(last.content) : '',
      promptChars,
      stopSequences: Array.isArray(body.stop_sequences) ? body.stop_sequences.filter((s) => typeof s === 'string') : [],
    };
  },

  frames(reply: Reply, ctx: ReplyContext): Frame[] {
    const event = (type: string, fields: JsonObject, content = false, tail = false, delayMs = 0): Frame => ({
      data: sse(JSON.stringify({ type, ...fields }), type),
      content,
      tail,
      delayMs,
    });
    const { inputTokens, outputTokens } = reply.usage;
    const frames: Frame[] = [
      event('message_start', {
        message: {
          id: `msg_titan${ctx.requestId}`,
          type: 'message',
          role: 'assistant',
          model: reply.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1, service_tier: 'standard' },
        },
      }),
    ];
    const ping = event('ping', {});
    if (reply.blocks.length === 0) frames.push(ping);
    let toolIndex = 0;
    reply.blocks.forEach((block, index) => {
      if (block.type === 'text') {
        frames.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
        if (index === 0) frames.push(ping);
        for (const text of block.chunks) {
          frames.push(event('content_block_delta', { index, delta: { type: 'text_delta', text } }, true, false, block.delayMs));
        }
      } else {
        const id = toolUseId(ctx, toolIndex++, block.id);
        frames.push(event('content_block_start', { index, content_block: { type: 'tool_use', id, name: block.name, input: {} } }));
        if (index === 0) frames.push(ping);
        for (const partial_json of block.chunks) {
          frames.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }, true, false, block.delayMs));
        }
      }
      frames.push(event('content_block_stop', { index }));
    });
    frames.push(
      event(
        'message_delta',
        {
          delta: { stop_reason: STOP[reply.stop], stop_sequence: stopSequence(reply, ctx) },
          usage: { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens },
        },
        false,
        true,
      ),
      event('message_stop', {}, false, true),
    );
    return frames;
  },

  whole(reply: Reply, ctx: ReplyContext): unknown {
    let toolIndex = 0;
    const content = reply.blocks.map((block) =>
      block.type === 'text'
        ? { type: 'text', text: block.chunks.join('') }
        : { type: 'tool_use', id: toolUseId(ctx, toolIndex++, block.id), name: block.name, input: parsedArguments(block.argumentsJson) },
    );
    return {
      id: `msg_titan${ctx.requestId}`,
      type: 'message',
      role: 'assistant',
      model: reply.model,
      content,
      stop_reason: STOP[reply.stop],
      stop_sequence: stopSequence(reply, ctx),
      usage: {
        input_tokens: reply.usage.inputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: reply.usage.outputTokens,
        service_tier: 'standard',
      },
    };
  },

  error(kind: ErrorKind, options: ErrorOptions = {}): ErrorResponse {
    const requestId = `req_titan${++errorCount}`;
    const spec = ERRORS[kind];
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'request-id': requestId,
      'x-should-retry': String(options.retryable ?? spec.retry),
    };
    if (kind === 'rate_limit') {
      const seconds = options.retryAfterSeconds ?? 1;
      Object.assign(headers, {
        'retry-after': String(seconds),
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-requests-reset': new Date(Date.now() + seconds * 1000).toISOString(),
      });
    } else if (options.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds);
    return { status: options.status ?? spec.status, headers, body: errorBody(kind, options.message, requestId) };
  },

  streamError(kind: ErrorKind, message?: string): string {
    return sse(JSON.stringify(errorBody(kind, message, `req_titan${++errorCount}`)), 'error');
  },

  malformed(raw?: string): string {
    return sse(raw ?? '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"cut', 'content_block_delta');
  },
};
