// Ollama's streamed answer -> Titan's LLM events. Each NDJSON line has a piece of message.content
// and, when the model calls tools, whole tool_calls (arguments as an object, never split): each
// becomes one tool_call event with the full arguments. The last line has done: true, done_reason
// and the token counts. An {"error": ...} line is an error event.
import { streamError } from './errors.js';
import { feedLines } from './ndjson.js';

function decodeFailure(message) {
  return { tag: 'decode', val: message };
}

function preview(text) {
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

function readState(text) {
  if (text === '') return { partial: '', toolCalls: 0, done: false };
  try {
    return JSON.parse(text);
  } catch {
    throw decodeFailure('the state is not one decode-stream returned');
  }
}

/**
 * Ollama gives tool calls no id (older versions) or one per call: without one, an id is made from
 * the line's timestamp and the call's number, unique across the turns of a thread.
 */
function callId(call, line, index) {
  if (typeof call.id === 'string' && call.id !== '') return call.id;
  const stamp = typeof line.created_at === 'string' ? line.created_at.replace(/[^0-9]/g, '') : '';
  return `call_${stamp}_${index}`;
}

function onLine(state, text, events) {
  if (state.done) return;
  let line;
  try {
    line = JSON.parse(text);
  } catch {
    throw decodeFailure(`a line is not JSON: ${preview(text)}`);
  }
  if (typeof line !== 'object' || line === null || Array.isArray(line)) throw decodeFailure(`a line is not a JSON object: ${preview(text)}`);
  if (line.error !== undefined) {
    events.push(streamError(line));
    state.done = true;
    return;
  }
  const message = line.message ?? {};
  if (typeof message.content === 'string' && message.content !== '') events.push({ type: 'text', text: message.content });
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      const fn = call?.function ?? {};
      if (typeof fn.name !== 'string' || fn.name === '') throw decodeFailure(`a tool call has no function name: ${preview(text)}`);
      const index = state.toolCalls++;
      const args = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {});
      events.push({ type: 'tool_call', index, id: callId(call, line, index), name: fn.name, arguments_delta: args });
    }
  }
  if (line.done === true) {
    events.push({ type: 'usage', input_tokens: line.prompt_eval_count ?? 0, output_tokens: line.eval_count ?? 0 });
    // Ollama says "stop" for an answer that called tools.
    const reason = line.done_reason === 'length' ? 'max_tokens' : state.toolCalls > 0 ? 'tool_use' : 'end_turn';
    events.push({ type: 'stop', reason });
    state.done = true;
  }
}

/**
 * A bad line after good ones in the same text: the good events are passed on and the failure is
 * kept in the state, raised by the next call (the host makes one at the latest when the body ends).
 */
export function decodeStream(stateText, chunk) {
  const state = readState(stateText);
  if (state.failed) throw decodeFailure(state.failed);
  const events = [];
  try {
    feedLines(state, chunk, (text) => onLine(state, text, events));
  } catch (e) {
    if (e?.tag !== 'decode' || events.length === 0) throw e;
    state.failed = e.val;
  }
  return JSON.stringify({ state: JSON.stringify(state), events });
}
