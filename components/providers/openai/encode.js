// Titan's chat request -> an OpenAI Chat Completions request, always streamed, with the usage of
// the whole answer asked for in a last chunk (stream_options.include_usage).
import { messageKeeper } from '../lib/kept-messages.js';
import { bodyWithTools, toolKeeper } from '../lib/kept-tools.js';

// Reasoning models refuse max_tokens (they take max_completion_tokens) and any temperature but
// the default; other OpenAI-compatible servers (vLLM, llama.cpp, Ollama's /v1) know max_tokens.
const REASONING_MODEL = /^(o\d|gpt-5)/;

function message(m) {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.tool_call_id, content: m.content };
  if (m.role === 'assistant' && m.tool_calls && m.tool_calls.length > 0) {
    return {
      role: 'assistant',
      content: m.content === '' ? null : m.content,
      tool_calls: m.tool_calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
    };
  }
  return { role: m.role, content: m.content };
}

/** The tools as OpenAI functions, kept by this instance between requests (../lib/kept-tools.js). */
const readWithTools = toolKeeper((tools) =>
  tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description ?? '', parameters: t.schema } })),
);

/** Each message is encoded on its own: a thread's next request reads only what it adds (../lib/kept-messages.js). */
const read = messageKeeper(readWithTools, message);

/** @returns {import('titan:provider/provider@0.1.0').HttpRequest} */
export function encodeRequest(requestJson) {
  const { request, tools, messages } = read(requestJson);
  const reasoning = REASONING_MODEL.test(request.model);
  // The messages' text goes in as it was kept: the body is the text JSON.stringify would write.
  const body = `{"model":${JSON.stringify(request.model)},"messages":${messages},"stream":true,"stream_options":{"include_usage":true}}`;
  const rest = {};
  if (request.max_tokens != null) rest[reasoning ? 'max_completion_tokens' : 'max_tokens'] = request.max_tokens;
  if (request.temperature != null && !reasoning) rest.temperature = request.temperature;
  return {
    method: 'POST',
    // The base URL carries the version, as OPENAI_BASE_URL does for the SDK: https://api.openai.com/v1.
    path: '/chat/completions',
    headers: [
      ['content-type', 'application/json'],
      ['accept', 'text/event-stream'],
    ],
    body: bodyWithTools(body, tools, rest),
  };
}
