// A Responses API request body (POST /v1/responses), checked and read as the Chat Completions
// request Titan already answers: `instructions` becomes the system message, `input` (a string or a
// list of items: messages with text parts, function_call and function_call_output) becomes the
// messages, function tools become tools. Every problem is a TITAN_E_USAGE error naming the field.
// Titan keeps no responses, so `previous_response_id` is refused with the way to continue instead.
import { type CompletionRequest, invalid, readCompletionRequest } from './openai-request.ts';

type Json = Record<string, unknown>;

const EXAMPLE = 'send a Responses body: {"model": "titan", "input": "hello"}';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A message item's content: a string, or input_text / output_text parts. */
function text(content: unknown, at: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalid(`${at}.content`, `${at}.content must be a string or a list of text parts`, EXAMPLE);
  return content
    .map((part, i) => {
      if (isObject(part) && (part.type === 'input_text' || part.type === 'output_text') && typeof part.text === 'string') return part.text;
      const type = isObject(part) && typeof part.type === 'string' ? `"${part.type}" ` : '';
      throw invalid(`${at}.content[${i}]`, `${at}.content[${i}]: only text parts are supported, not ${type}parts`, 'send the content as input_text');
    })
    .join('');
}

/** The Chat Completions messages of the input items; consecutive function calls form one assistant turn. */
function messages(input: unknown): Json[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (!Array.isArray(input) || input.length === 0) throw invalid('input', 'input must be a string or a non-empty list of items', EXAMPLE);
  const out: Json[] = [];
  input.forEach((item, i) => {
    const at = `input[${i}]`;
    if (!isObject(item)) throw invalid(at, `${at} is not an object`, EXAMPLE);
    const type = item.type ?? 'message';
    if (type === 'message') {
      out.push({ role: item.role, content: text(item.content, at) });
    } else if (type === 'function_call') {
      if (typeof item.call_id !== 'string' || typeof item.name !== 'string' || typeof item.arguments !== 'string')
        throw invalid(at, `${at} must be {"type": "function_call", "call_id", "name", "arguments"}`);
      const call = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } };
      const last = out.at(-1);
      if (last?.role === 'assistant' && Array.isArray(last.tool_calls)) last.tool_calls.push(call);
      else out.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (type === 'function_call_output') {
      if (typeof item.call_id !== 'string') throw invalid(`${at}.call_id`, `${at}.call_id is required on a function_call_output`);
      out.push({ role: 'tool', tool_call_id: item.call_id, content: typeof item.output === 'string' ? item.output : text(item.output, at) });
    } else {
      throw invalid(`${at}.type`, `${at}: items of type "${String(type)}" are not supported`, 'send message, function_call and function_call_output items');
    }
  });
  return out;
}

/** Function tools in the Chat Completions shape; the hosted tools (web_search, file_search...) are OpenAI's own. */
function tools(value: unknown): Json[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalid('tools', 'tools must be a list');
  return value.map((tool, i) => {
    if (!isObject(tool) || tool.type !== 'function')
      throw invalid(`tools[${i}]`, `tools[${i}]: only function tools are supported`, 'send {"type": "function", "name", "description", "parameters"}');
    return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
  });
}

export function readResponsesRequest(body: unknown): CompletionRequest {
  if (!isObject(body)) throw invalid(null, 'the request body must be a JSON object', EXAMPLE);
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    throw invalid(
      'previous_response_id',
      'Titan keeps no responses, so previous_response_id cannot be continued',
      'send the whole conversation as input, or (model "titan") the x-titan-thread header of the thread to continue',
    );
  }
  const instructions = body.instructions;
  if (instructions !== undefined && instructions !== null && typeof instructions !== 'string') throw invalid('instructions', 'instructions must be a string');
  if (typeof body.tool_choice === 'object' && body.tool_choice !== null)
    throw invalid('tool_choice', 'tool_choice may be "auto" or "none": Titan cannot force the model to call a tool');
  const chat = {
    model: body.model,
    messages: [...(instructions ? [{ role: 'system', content: instructions }] : []), ...messages(body.input)],
    tools: tools(body.tools),
    tool_choice: body.tool_choice,
    stream: body.stream,
    temperature: body.temperature,
    max_tokens: body.max_output_tokens,
  };
  return readCompletionRequest(chat);
}
