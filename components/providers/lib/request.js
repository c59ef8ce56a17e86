// Titan's chat request (agent/loop/llm-types.ts ChatRequest), read and checked before it is
// mapped to a provider's wire format. Every problem is an invalid-request naming the field.

export function invalid(message) {
  return { tag: 'invalid-request', val: message };
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ROLES = ['system', 'user', 'assistant', 'tool'];

// A plain message passes with a few comparisons; what is wrong is named only when something is.
export function checkMessage(m, i) {
  if (isObject(m) && typeof m.content === 'string' && (m.role === 'user' || m.role === 'assistant' || m.role === 'system') && m.tool_calls == null) return;
  const at = `messages[${i}]`;
  if (!isObject(m)) throw invalid(`${at} is not an object`);
  if (!ROLES.includes(m.role)) throw invalid(`${at}.role must be one of ${ROLES.join(', ')}`);
  if (typeof m.content !== 'string') throw invalid(`${at}.content must be a string`);
  if (m.role === 'tool' && (typeof m.tool_call_id !== 'string' || m.tool_call_id === '')) throw invalid(`${at}.tool_call_id is required on a tool message`);
  if (m.role === 'assistant' && m.tool_calls !== undefined && m.tool_calls !== null) {
    if (!Array.isArray(m.tool_calls)) throw invalid(`${at}.tool_calls must be a list`);
    m.tool_calls.forEach((call, j) => {
      if (!isObject(call) || typeof call.id !== 'string' || typeof call.name !== 'string' || typeof call.arguments !== 'string') {
        throw invalid(`${at}.tool_calls[${j}] must be {"id", "name", "arguments"} strings`);
      }
    });
  }
}

function checkTool(t, i) {
  const at = `tools[${i}]`;
  if (!isObject(t) || typeof t.name !== 'string' || t.name === '') throw invalid(`${at}.name must be a non-empty string`);
  if (t.description !== undefined && typeof t.description !== 'string') throw invalid(`${at}.description must be a string`);
  if (!isObject(t.schema)) throw invalid(`${at}.schema must be a JSON Schema object`);
}

/** The request as an object, checked; throws invalid-request. */
export function readRequest(text) {
  let request;
  try {
    request = JSON.parse(text);
  } catch (e) {
    throw invalid(`the request is not JSON: ${e.message}`);
  }
  if (!isObject(request)) throw invalid('the request must be a JSON object');
  if (typeof request.model !== 'string' || request.model === '') throw invalid('model must be a non-empty string');
  if (!Array.isArray(request.messages) || request.messages.length === 0) throw invalid('messages must be a non-empty list');
  request.messages.forEach(checkMessage);
  const tools = request.tools ?? [];
  if (!Array.isArray(tools)) throw invalid('tools must be a list');
  tools.forEach(checkTool);
  request.tools = tools;
  if (request.max_tokens !== undefined && request.max_tokens !== null && (!Number.isInteger(request.max_tokens) || request.max_tokens < 1)) {
    throw invalid('max_tokens must be a positive integer');
  }
  if (request.temperature !== undefined && request.temperature !== null && typeof request.temperature !== 'number') {
    throw invalid('temperature must be a number');
  }
  return request;
}

/** The tool arguments as an object, for formats that send them parsed; {} when they are not a JSON object. */
export function argumentsObject(text) {
  try {
    const value = JSON.parse(text === '' ? '{}' : text);
    return isObject(value) ? value : {};
  } catch {
    // The model wrote invalid JSON; the tool result the loop sends back says so. The wire format
    // needs an object here, so the replayed call carries none.
    return {};
  }
}
