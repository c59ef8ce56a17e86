// A Chat Completions request body, checked and turned into Titan's chat shape. Every problem is a
// TITAN_E_USAGE error (HTTP 400, invalid_request_error) naming the field as OpenAI's `param`, so a
// client sees which part of its request is wrong; nothing is run for a bad request.
import { TitanError } from '../common/errors.ts';
import type { Llm } from '../agent/api.ts';

// Titan's own chat types, reached through the public Llm type (kernel/api.ts exports no names for them).
export type ChatRequest = Parameters<Llm['stream']>[0];
export type ChatMessage = ChatRequest['messages'][number];
export type ToolSpec = ChatRequest['tools'][number];

export type CompletionRequest = {
  model: string;
  messages: ChatMessage[];
  /** The client sent tools: it runs them itself, so the model's tool calls go back to it (pass-through). */
  clientTools: boolean;
  /** The tools the model sees (none when tool_choice is "none"). */
  tools: ToolSpec[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens?: number;
  temperature?: number;
};

type Json = Record<string, unknown>;

const EXAMPLE = 'send a Chat Completions body: {"model": "titan", "messages": [{"role": "user", "content": "hello"}]}';

export function invalid(param: string | null, message: string, fix = EXAMPLE): TitanError {
  return new TitanError('TITAN_E_USAGE', message, { fix, details: { param } });
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A message's content: a string, or a list of text parts (images and audio are not taken). */
function text(content: unknown, at: string, nullable: boolean): string {
  if (typeof content === 'string') return content;
  if ((content === null || content === undefined) && nullable) return '';
  if (!Array.isArray(content)) throw invalid(`${at}.content`, `${at}.content must be a string or a list of text parts`);
  return content
    .map((part, i) => {
      if (isObject(part) && part.type === 'text' && typeof part.text === 'string') return part.text;
      const type = isObject(part) && typeof part.type === 'string' ? `"${part.type}" ` : '';
      throw invalid(`${at}.content[${i}]`, `${at}.content[${i}]: only text parts are supported, not ${type}parts`, 'send the content as text');
    })
    .join('');
}

function toolCalls(value: unknown, at: string): Array<{ id: string; name: string; arguments: string }> {
  if (!Array.isArray(value)) throw invalid(`${at}.tool_calls`, `${at}.tool_calls must be a list`);
  return value.map((call, j) => {
    const fn = isObject(call) ? call.function : undefined;
    if (!isObject(call) || typeof call.id !== 'string' || !isObject(fn) || typeof fn.name !== 'string') {
      throw invalid(`${at}.tool_calls[${j}]`, `${at}.tool_calls[${j}] must be {"id", "type": "function", "function": {"name", "arguments"}}`);
    }
    const args = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {});
    return { id: call.id, name: fn.name, arguments: args };
  });
}

function message(m: unknown, i: number): ChatMessage {
  const at = `messages[${i}]`;
  if (!isObject(m)) throw invalid(at, `${at} is not an object`);
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: text(m.content, at, false) };
    case 'user':
      return { role: 'user', content: text(m.content, at, false) };
    case 'assistant': {
      const content = text(m.content, at, true);
      const calls = m.tool_calls === undefined || m.tool_calls === null ? [] : toolCalls(m.tool_calls, at);
      return calls.length > 0 ? { role: 'assistant', content, tool_calls: calls } : { role: 'assistant', content };
    }
    case 'tool':
      if (typeof m.tool_call_id !== 'string' || m.tool_call_id === '') throw invalid(`${at}.tool_call_id`, `${at}.tool_call_id is required on a tool message`);
      return { role: 'tool', content: text(m.content, at, false), tool_call_id: m.tool_call_id };
    default:
      throw invalid(`${at}.role`, `${at}.role must be one of system, developer, user, assistant, tool`);
  }
}

function tool(t: unknown, i: number): ToolSpec {
  const at = `tools[${i}]`;
  if (!isObject(t) || t.type !== 'function' || !isObject(t.function)) throw invalid(at, `${at} must be {"type": "function", "function": {...}}`);
  const { name, description, parameters } = t.function;
  if (typeof name !== 'string' || name === '') throw invalid(`${at}.function.name`, `${at}.function.name must be a non-empty string`);
  if (description !== undefined && typeof description !== 'string') throw invalid(`${at}.function.description`, `${at}.function.description must be a string`);
  if (parameters !== undefined && !isObject(parameters)) throw invalid(`${at}.function.parameters`, `${at}.function.parameters must be a JSON Schema object`);
  return { name, description: description ?? '', schema: parameters ?? { type: 'object', properties: {} } };
}

function positiveInteger(body: Json, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < 1) throw invalid(field, `${field} must be a positive integer`);
  return value as number;
}

/** The checked request; throws TITAN_E_USAGE naming the field. */
export function readCompletionRequest(body: unknown): CompletionRequest {
  if (!isObject(body)) throw invalid(null, 'the request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model === '') throw invalid('model', 'model is required: "titan" or one of GET /v1/models');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw invalid('messages', 'messages must be a non-empty list');
  const messages = body.messages.map(message);
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools)) throw invalid('tools', 'tools must be a list');
  const tools = ((body.tools as unknown[] | null | undefined) ?? []).map(tool);
  // Titan's providers take tools without a forcing choice: refuse what cannot be honoured.
  const choice = body.tool_choice;
  if (choice !== undefined && choice !== null && choice !== 'auto' && choice !== 'none') {
    throw invalid('tool_choice', 'tool_choice may be "auto" or "none": Titan cannot force the model to call a tool', 'leave tool_choice out, or send "auto"');
  }
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw invalid('n', 'n must be 1: Titan answers with one choice', 'leave n out');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') throw invalid('stream', 'stream must be true or false');
  const options = body.stream_options;
  if (options !== undefined && options !== null && !isObject(options)) throw invalid('stream_options', 'stream_options must be an object');
  const temperature = body.temperature;
  if (temperature !== undefined && temperature !== null && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    throw invalid('temperature', 'temperature must be a number from 0 to 2');
  }
  const maxTokens = positiveInteger(body, 'max_completion_tokens') ?? positiveInteger(body, 'max_tokens');
  return {
    model: body.model,
    messages,
    clientTools: tools.length > 0,
    // tool_choice "none": the client's tools stay out of the model's sight.
    tools: choice === 'none' ? [] : tools,
    stream: body.stream === true,
    includeUsage: isObject(options) && options.include_usage === true,
    ...(maxTokens === undefined ? {} : { maxTokens }),
    ...(typeof temperature === 'number' ? { temperature } : {}),
  };
}
