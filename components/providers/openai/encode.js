// Titan's chat request -> an OpenAI Chat Completions request, always streamed, with the usage of
// the whole answer asked for in a last chunk (stream_options.include_usage).
import { readRequest } from '../lib/request.js';

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

/**
 * The tools' part of the body, kept by this instance: the tools are the same from one request to the
 * next (they change when a tool is deployed), and writing them again was a third of a request's
 * encoding. Keyed by the exact text they arrived as: the host sends them first, so a request that
 * starts with `prefix` carries these tools, and only the rest of it is read.
 * @type {{ prefix: string, json: string } | undefined}
 */
let kept;

function toolsJson(tools) {
  return JSON.stringify(tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description ?? '', parameters: t.schema } })));
}

/** The request, and its tools' part of the body ('' for none): from `kept` when the request starts with them. */
function readWithTools(requestJson) {
  if (kept && requestJson.startsWith(kept.prefix)) {
    const request = readRequest(`{${requestJson.slice(kept.prefix.length)}`);
    // A second "tools" further on would be the one JSON.parse keeps: read the whole text then.
    if (request.tools.length === 0) return { request, tools: kept.json };
  }
  const request = readRequest(requestJson);
  if (request.tools.length === 0) return { request, tools: '' };
  const tools = toolsJson(request.tools);
  if (requestJson.startsWith('{"tools":')) {
    // Kept only when the tools are exactly what starts the text (spelt otherwise: no gain, no harm).
    const prefix = `{"tools":${JSON.stringify(request.tools)},`;
    kept = requestJson.startsWith(prefix) ? { prefix, json: tools } : undefined;
  }
  return { request, tools };
}

/** @returns {import('titan:provider/provider@0.1.0').HttpRequest} */
export function encodeRequest(requestJson) {
  const { request, tools } = readWithTools(requestJson);
  const reasoning = REASONING_MODEL.test(request.model);
  const body = { model: request.model, messages: request.messages.map(message), stream: true, stream_options: { include_usage: true } };
  const rest = {};
  if (request.max_tokens != null) rest[reasoning ? 'max_completion_tokens' : 'max_tokens'] = request.max_tokens;
  if (request.temperature != null && !reasoning) rest.temperature = request.temperature;
  // The text JSON.stringify would write for body, then tools, then the rest, in that order.
  let text = JSON.stringify(body).slice(0, -1);
  if (tools) text += `,"tools":${tools}`;
  const restText = JSON.stringify(rest);
  if (restText !== '{}') text += `,${restText.slice(1, -1)}`;
  return {
    method: 'POST',
    // The base URL carries the version, as OPENAI_BASE_URL does for the SDK: https://api.openai.com/v1.
    path: '/chat/completions',
    headers: [
      ['content-type', 'application/json'],
      ['accept', 'text/event-stream'],
    ],
    body: `${text}}`,
  };
}
