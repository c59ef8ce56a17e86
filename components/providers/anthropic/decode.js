// Anthropic's streamed answer -> Titan's LLM events. message_start (input usage),
// content_block_start / _delta / _stop for text and tool_use blocks (arguments as
// input_json_delta), message_delta (stop reason, output usage), message_stop; ping is ignored and
// `event: error` becomes an error event. Tool calls are numbered 0, 1... among the tool_use
// blocks, whatever the block index.
import { streamError } from './errors.js';
import { feedSse, freshSse } from '../lib/sse.js';

const REASONS = {
  end_turn: 'end_turn',
  tool_use: 'tool_use',
  max_tokens: 'max_tokens',
  stop_sequence: 'end_turn',
  pause_turn: 'end_turn',
  refusal: 'end_turn',
  model_context_window_exceeded: 'max_tokens',
};

function decodeFailure(message) {
  return { tag: 'decode', val: message };
}

function preview(text) {
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

function fresh() {
  // tools: block index -> [tool-call number, whether arguments arrived].
  return { ...freshSse(), input: 0, output: 0, reason: null, tools: {}, toolCalls: 0, done: false };
}

function readState(text) {
  if (text === '') return fresh();
  try {
    return JSON.parse(text);
  } catch {
    throw decodeFailure('the state is not one decode-stream returned');
  }
}

function inputTokens(usage) {
  // input_tokens leaves out what was read from or written to the prompt cache.
  return (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
}

const handlers = {
  message_start(state, data) {
    const usage = data.message?.usage;
    if (usage) {
      state.input = inputTokens(usage);
      state.output = usage.output_tokens ?? 0;
    }
  },
  content_block_start(state, data, events) {
    const block = data.content_block ?? {};
    if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') events.push({ type: 'text', text: block.text });
    if (block.type !== 'tool_use') return;
    const index = state.toolCalls++;
    state.tools[data.index] = [index, false];
    events.push({ type: 'tool_call', index, id: block.id, name: block.name, arguments_delta: '' });
  },
  content_block_delta(state, data, events) {
    const delta = data.delta ?? {};
    if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text !== '') events.push({ type: 'text', text: delta.text });
    if (delta.type !== 'input_json_delta' || typeof delta.partial_json !== 'string' || delta.partial_json === '') return;
    const tool = state.tools[data.index];
    if (!tool) throw decodeFailure(`input_json_delta for block ${data.index}, which is not a tool_use block`);
    tool[1] = true;
    events.push({ type: 'tool_call', index: tool[0], arguments_delta: delta.partial_json });
  },
  content_block_stop(state, data, events) {
    const tool = state.tools[data.index];
    // A call without arguments streams none; Titan's arguments are always a JSON object.
    if (tool && !tool[1]) events.push({ type: 'tool_call', index: tool[0], arguments_delta: '{}' });
  },
  message_delta(state, data, events) {
    if (data.delta && typeof data.delta.stop_reason === 'string') state.reason = data.delta.stop_reason;
    const usage = data.usage;
    if (usage) {
      if (usage.input_tokens !== undefined && usage.input_tokens !== null) state.input = inputTokens(usage);
      if (usage.output_tokens !== undefined && usage.output_tokens !== null) state.output = usage.output_tokens;
    }
    events.push({ type: 'usage', input_tokens: state.input, output_tokens: state.output });
  },
  message_stop(state, _data, events) {
    events.push({ type: 'stop', reason: REASONS[state.reason] ?? (state.toolCalls > 0 ? 'tool_use' : 'end_turn') });
    state.done = true;
  },
  error(state, data, events) {
    events.push(streamError(data));
    state.done = true;
  },
};

function onEvent(state, name, data, events) {
  if (state.done) return;
  let parsed;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw decodeFailure(`the data of ${name || 'an event'} is not JSON: ${preview(data)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw decodeFailure(`the data of ${name || 'an event'} is not a JSON object: ${preview(data)}`);
  // Unknown events (and ping) are skipped: the API may add new ones.
  const handler = handlers[parsed.type ?? name];
  if (handler) handler(state, parsed, events);
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
    feedSse(state, chunk, (name, data) => onEvent(state, name, data, events));
  } catch (e) {
    if (e?.tag !== 'decode' || events.length === 0) throw e;
    state.failed = e.val;
  }
  return JSON.stringify({ state: JSON.stringify(state), events });
}
