// Titan's chat request -> an Anthropic Messages request, always streamed: system messages become
// the top-level `system`, tool calls become tool_use blocks of the assistant, and tool results
// become tool_result blocks of a user message (consecutive messages of one role are merged, as
// the API requires them to alternate).
import { bodyWithTools, toolKeeper } from '../lib/kept-tools.js';
import { argumentsObject } from '../lib/request.js';

export const ANTHROPIC_VERSION = '2023-06-01';
/** max_tokens is required by the API; this is used when the request leaves it out. */
const DEFAULT_MAX_TOKENS = 8192;

/**
 * @typedef {{ type: 'text', text: string } | { type: 'tool_use', id: string, name: string, input: object }
 *   | { type: 'tool_result', tool_use_id: string, content: string }} Block
 */

/** @returns {Block[]} */
function blocksOf(m) {
  if (m.role === 'tool') return [{ type: 'tool_result', tool_use_id: m.tool_call_id, content: m.content }];
  // Empty text blocks are refused by the API.
  /** @type {Block[]} */
  const blocks = m.content === '' ? [] : [{ type: 'text', text: m.content }];
  if (m.role === 'assistant' && m.tool_calls) {
    for (const call of m.tool_calls) blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: argumentsObject(call.arguments) });
  }
  return blocks;
}

function conversation(messages) {
  /** @type {Array<{ role: string, content: Block[] }>} */
  const out = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(m);
    if (blocks.length === 0) continue;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  // A lone text block is sent as a plain string, as people write it.
  return out.map((m) => (m.content.length === 1 && m.content[0].type === 'text' ? { role: m.role, content: m.content[0].text } : m));
}

/** The tools as Anthropic declares them, kept by this instance between requests (../lib/kept-tools.js). */
const readWithTools = toolKeeper((tools) => tools.map((t) => ({ name: t.name, description: t.description ?? '', input_schema: t.schema })));

/** @returns {import('titan:provider/provider@0.1.0').HttpRequest} */
export function encodeRequest(requestJson) {
  const { request, tools } = readWithTools(requestJson);
  const system = request.messages
    .filter((m) => m.role === 'system' && m.content !== '')
    .map((m) => m.content)
    .join('\n\n');
  const body = { model: request.model, max_tokens: request.max_tokens ?? DEFAULT_MAX_TOKENS, messages: conversation(request.messages), stream: true };
  if (system !== '') body.system = system;
  const rest = request.temperature != null ? { temperature: request.temperature } : {};
  return {
    method: 'POST',
    path: '/v1/messages',
    headers: [
      ['content-type', 'application/json'],
      ['accept', 'text/event-stream'],
      ['anthropic-version', ANTHROPIC_VERSION],
    ],
    body: bodyWithTools(body, tools, rest),
  };
}
