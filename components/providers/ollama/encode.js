// Titan's chat request -> an Ollama /api/chat request, streamed (NDJSON). Tool calls of earlier
// assistant messages carry their arguments as objects; tool results name their tool (tool_name),
// which Ollama matches on instead of an id.
import { bodyWithTools, toolKeeper } from '../lib/kept-tools.js';
import { argumentsObject } from '../lib/request.js';

function conversation(messages) {
  const toolNames = new Map();
  return messages.map((m) => {
    if (m.role === 'assistant' && m.tool_calls && m.tool_calls.length > 0) {
      for (const call of m.tool_calls) toolNames.set(call.id, call.name);
      return {
        role: 'assistant',
        content: m.content,
        tool_calls: m.tool_calls.map((call) => ({ function: { name: call.name, arguments: argumentsObject(call.arguments) } })),
      };
    }
    if (m.role === 'tool') {
      const name = m.name ?? toolNames.get(m.tool_call_id);
      return name === undefined ? { role: 'tool', content: m.content } : { role: 'tool', content: m.content, tool_name: name };
    }
    return { role: m.role, content: m.content };
  });
}

/** The tools as functions, kept by this instance between requests (../lib/kept-tools.js). */
const readWithTools = toolKeeper((tools) =>
  tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description ?? '', parameters: t.schema } })),
);

/** @returns {import('titan:provider/provider@0.1.0').HttpRequest} */
export function encodeRequest(requestJson) {
  const { request, tools } = readWithTools(requestJson);
  const body = { model: request.model, messages: conversation(request.messages), stream: true };
  const options = {};
  if (request.max_tokens != null) options.num_predict = request.max_tokens;
  if (request.temperature != null) options.temperature = request.temperature;
  const rest = Object.keys(options).length > 0 ? { options } : {};
  return {
    method: 'POST',
    path: '/api/chat',
    headers: [
      ['content-type', 'application/json'],
      ['accept', 'application/x-ndjson'],
    ],
    body: bodyWithTools(body, tools, rest),
  };
}
