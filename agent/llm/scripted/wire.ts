// What every wire format (OpenAI, Anthropic, Ollama) implements, and the provider-neutral reply
// they encode. One file per format beside this one; the server picks one by route.
import type { StopReason } from './script.ts';

export type Route = 'openai' | 'anthropic' | 'ollama';
export type JsonObject = { [key: string]: unknown };

/** The errors a format can render in its provider's own body and status. */
export type ErrorKind = 'rate_limit' | 'overloaded' | 'context_too_long' | 'auth' | 'server_error' | 'invalid_request' | 'not_found';

export type ErrorOptions = { message?: string; status?: number; retryAfterSeconds?: number; retryable?: boolean };

/** What the server needs to know about a chat request, whatever format it came in. */
export type RequestSummary = {
  model: string;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`: send the final usage chunk. */
  includeUsage: boolean;
  /** Text of the last message whose role is user (text parts only). */
  lastUserText: string;
  /** Text of the very last message, whatever its role (tool results included). */
  lastMessageText: string;
  /** Characters of prompt (system + messages), for the default usage figures. */
  promptChars: number;
  stopSequences: string[];
};

export type ReplyBlock =
  | { type: 'text'; chunks: string[]; delayMs: number }
  | { type: 'tool_call'; id: string | undefined; name: string; argumentsJson: string; chunks: string[]; delayMs: number };

/** A provider-neutral answer: what the script (or echo mode) says the model replies. */
export type Reply = {
  model: string;
  blocks: ReplyBlock[];
  stop: StopReason;
  usage: { inputTokens: number; outputTokens: number };
};

/** Per-request facts a format needs for ids and timestamps. */
export type ReplyContext = { requestId: number; startedWallMs: number; summary: RequestSummary };

/**
 * One unit written to the wire: an SSE event or an NDJSON line.
 * `content` frames carry text or tool-call pieces (delays and fault cues count them);
 * `tail` frames close the message (stop reason, usage, end marker).
 */
export type Frame = { data: string; content: boolean; tail: boolean; delayMs: number };

export type ErrorResponse = { status: number; headers: Record<string, string>; body: unknown };

export interface WireFormat {
  readonly route: Route;
  /** Content type of a streamed answer. */
  readonly streamContentType: string;
  /** Reads a chat request body; throws WireRequestError when the body is not a chat request. */
  summarize(body: JsonObject): RequestSummary;
  /** The whole streamed answer, frame by frame. */
  frames(reply: Reply, ctx: ReplyContext): Frame[];
  /** The non-streaming answer body. */
  whole(reply: Reply, ctx: ReplyContext): unknown;
  /** An HTTP error exactly as the provider sends it. */
  error(kind: ErrorKind, options?: ErrorOptions): ErrorResponse;
  /** The error event a provider sends inside an already-started stream. */
  streamError(kind: ErrorKind, message?: string): string;
  /** A frame whose JSON is cut off (or `raw`, framed as this format frames data). */
  malformed(raw?: string): string;
}

/** A request body the format cannot read; answered with the format's own 400. */
export class WireRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireRequestError';
  }
}

export function sse(data: string, event?: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${data}\n\n`;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text of a message content that is a string or a list of parts ({type:'text', text} and kin). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') texts.push(part);
    else if (isObject(part)) {
      if (typeof part.text === 'string') texts.push(part.text);
      else if (part.type === 'tool_result') texts.push(contentText(part.content));
    }
  }
  return texts.join('\n');
}

export function messagesOf(body: JsonObject): JsonObject[] {
  if (!Array.isArray(body.messages)) throw new WireRequestError('messages: expected an array of messages');
  return body.messages.filter(isObject);
}

export function lastUserText(messages: JsonObject[], textOf: (content: unknown) => string): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') return textOf(messages[i].content);
  }
  return '';
}

export function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

/** Whole tool-call arguments as an object, for formats that send them parsed (Ollama, Anthropic's non-streamed input). */
export function parsedArguments(argumentsJson: string): unknown {
  try {
    return JSON.parse(argumentsJson);
  } catch {
    return argumentsJson; // the script asked for invalid JSON on purpose: pass it through as it is
  }
}

export function replyText(reply: Reply): string {
  return reply.blocks.map((b) => (b.type === 'text' ? b.chunks.join('') : '')).join('');
}
