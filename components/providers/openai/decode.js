// OpenAI's streamed answer -> Titan's LLM events. chat.completion.chunk data lines carry text
// and tool-call deltas (the first delta of a call has its id and name); the chunk with
// finish_reason is followed by a usage chunk (include_usage) and `data: [DONE]`. The stop event
// comes last: after the usage when there is one, else at [DONE].
import { streamError } from './errors.js';
import { feedSse, freshSse } from '../lib/sse.js';

const REASONS = { stop: 'end_turn', tool_calls: 'tool_use', function_call: 'tool_use', length: 'max_tokens', content_filter: 'end_turn' };

function decodeFailure(message) {
  return { tag: 'decode', val: message };
}

function preview(text) {
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

function fresh() {
  // calls: what each tool-call index has told so far (1 = its id, 2 = its name).
  return { ...freshSse(), finish: null, calls: {}, toolCalls: 0, done: false };
}

function readState(text) {
  if (text === '') return fresh();
  try {
    return JSON.parse(text);
  } catch {
    throw decodeFailure('the state is not one decode-stream returned');
  }
}

function stop(state, events) {
  // Some compatible servers say "stop" for an answer that called tools.
  const reason = state.toolCalls > 0 && (state.finish === 'stop' || state.finish === null) ? 'tool_use' : (REASONS[state.finish] ?? 'end_turn');
  events.push({ type: 'stop', reason });
  state.done = true;
}

function toolCall(state, call, events) {
  const fn = call.function ?? {};
  let index = call.index;
  // Servers that leave out the index send one call at a time: a new id starts the next one.
  if (!Number.isInteger(index)) index = call.id || state.toolCalls === 0 ? state.toolCalls : state.toolCalls - 1;
  const first = state.calls[index] === undefined;
  if (first) state.toolCalls = Math.max(state.toolCalls, index + 1);
  const told = state.calls[index] ?? 0;
  const args = typeof fn.arguments === 'string' ? fn.arguments : fn.arguments ? JSON.stringify(fn.arguments) : '';
  const event = { type: 'tool_call', index, arguments_delta: args };
  let now = told;
  if (!(told & 1) && typeof call.id === 'string' && call.id !== '') {
    event.id = call.id;
    now |= 1;
  }
  if (!(told & 2) && typeof fn.name === 'string' && fn.name !== '') {
    event.name = fn.name;
    now |= 2;
  }
  state.calls[index] = now;
  // Some servers repeat the id and name on every delta: a repeat with nothing new is no event.
  if (!first && now === told && args === '') return;
  events.push(event);
}

function onData(state, data, events) {
  if (state.done) return;
  if (data === '[DONE]') return stop(state, events);
  let chunk;
  try {
    chunk = JSON.parse(data);
  } catch {
    throw decodeFailure(`a data line is not JSON: ${preview(data)}`);
  }
  if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) throw decodeFailure(`a data line is not a JSON object: ${preview(data)}`);
  if (chunk.error) {
    events.push(streamError(typeof chunk.error === 'object' ? chunk.error : { message: String(chunk.error) }));
    state.done = true;
    return;
  }
  const choice = Array.isArray(chunk.choices) ? chunk.choices.find((c) => c && (c.index ?? 0) === 0) : undefined;
  if (choice) {
    const delta = choice.delta ?? {};
    if (typeof delta.content === 'string' && delta.content !== '') events.push({ type: 'text', text: delta.content });
    if (typeof delta.refusal === 'string' && delta.refusal !== '') events.push({ type: 'text', text: delta.refusal });
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) if (call) toolCall(state, call, events);
    if (typeof choice.finish_reason === 'string') state.finish = choice.finish_reason;
  }
  if (chunk.usage && typeof chunk.usage === 'object') {
    events.push({ type: 'usage', input_tokens: chunk.usage.prompt_tokens ?? 0, output_tokens: chunk.usage.completion_tokens ?? 0 });
    if (state.finish !== null) stop(state, events);
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
    feedSse(state, chunk, (_event, data) => onData(state, data, events));
  } catch (e) {
    if (e?.tag !== 'decode' || events.length === 0) throw e;
    state.failed = e.val;
  }
  return JSON.stringify({ state: JSON.stringify(state), events });
}
