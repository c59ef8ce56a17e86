// `titan new provider NAME`: a provider for an OpenAI-compatible server (Chat Completions,
// streamed): the shape to adapt to a server with quirks (another path, another header).
import { envName, type Template } from './template.ts';

export function providerTemplate(name: string): Template {
  return {
    manifest: {
      name,
      kind: 'provider',
      version: '0.1.0',
      world: 'titan:provider/provider-component@0.1.0',
      source: `${name}.js`,
      capabilities: { log: {} },
      limits: { memoryMb: 32, maxInstances: 8 },
      smoke: [{ function: 'encode-request', args: ['{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[]}'] }],
      provider: { title: name, keyHeader: 'authorization' },
    },
    types: ['provider-provider@0.1.0.d.ts', 'host-log@0.1.0.d.ts'],
    source: `// ${name}: a Titan provider, sans-IO, for an OpenAI-compatible server. Titan's host sends what
// encodeRequest returns to <${envName(name)}_BASE_URL><path> with the key (${envName(name)}_API_KEY) in the
// manifest's provider.keyHeader, and feeds the streamed body to decodeStream piece by piece.
const REASONS = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'end_turn' };

function message(m) {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.tool_call_id, content: m.content };
  if (m.role === 'assistant' && m.tool_calls?.length)
    return {
      role: 'assistant',
      content: m.content || null,
      tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
    };
  return { role: m.role, content: m.content };
}

/** @type {typeof import('titan:provider/provider@0.1.0')} */
export const provider = {
  describe() {
    return { name: '${name}', description: 'An OpenAI-compatible Chat Completions server.', configSchema: '{}' };
  },
  encodeRequest(requestJson) {
    let r;
    try {
      r = JSON.parse(requestJson);
    } catch (e) {
      throw { tag: 'invalid-request', val: 'not JSON: ' + e.message };
    }
    const body = {
      model: r.model,
      stream: true,
      stream_options: { include_usage: true },
      messages: r.messages.map(message),
      ...(r.tools?.length ? { tools: r.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.schema } })) } : {}),
      ...(r.max_tokens ? { max_tokens: r.max_tokens } : {}),
    };
    return { method: 'POST', path: '/chat/completions', headers: [['content-type', 'application/json']], body: JSON.stringify(body) };
  },
  decodeStream(stateText, chunk) {
    const state = stateText ? JSON.parse(stateText) : { partial: '', finish: null, tools: 0, done: false };
    const events = [];
    const blocks = (state.partial + chunk).split(/\\r?\\n\\r?\\n/);
    state.partial = blocks.pop() ?? '';
    for (const block of blocks) {
      const data = block
        .split(/\\r?\\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\\n');
      if (!data || state.done) continue;
      if (data === '[DONE]') {
        state.done = true;
        const reason = state.tools > 0 && state.finish !== 'length' ? 'tool_use' : (REASONS[state.finish] ?? 'end_turn');
        events.push({ type: 'stop', reason });
        continue;
      }
      let event;
      try {
        event = JSON.parse(data);
      } catch (e) {
        throw { tag: 'decode', val: 'a stream event is not JSON: ' + e.message };
      }
      if (event.error) events.push({ type: 'error', code: 'server', message: String(event.error.message ?? 'error') });
      const choice = event.choices?.[0];
      if (choice?.delta?.content) events.push({ type: 'text', text: choice.delta.content });
      for (const call of choice?.delta?.tool_calls ?? []) {
        state.tools++;
        events.push({ type: 'tool_call', index: call.index ?? 0, id: call.id, name: call.function?.name, arguments_delta: call.function?.arguments ?? '' });
      }
      if (choice?.finish_reason) state.finish = choice.finish_reason;
      if (event.usage) events.push({ type: 'usage', input_tokens: event.usage.prompt_tokens ?? 0, output_tokens: event.usage.completion_tokens ?? 0 });
    }
    return JSON.stringify({ state: JSON.stringify(state), events });
  },
  decodeError(status, headers, body) {
    const code = status === 401 || status === 403 ? 'auth' : status === 429 ? 'rate_limited' : status >= 500 ? 'server' : 'bad_request';
    const retry = Number(headers.find(([k]) => k.toLowerCase() === 'retry-after')?.[1]);
    return JSON.stringify({ code, message: 'HTTP ' + status + ': ' + body.slice(0, 500), ...(retry > 0 ? { retry_after_ms: retry * 1000 } : {}) });
  },
};
`,
    test: `// Runs the provider's source under plain Node (node --test): no build, no kernel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { provider } from './${name}.js';

test('${name} encodes a streamed chat request and decodes a streamed answer split anywhere', () => {
  const request = provider.encodeRequest(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [] }));
  assert.equal(request.path, '/chat/completions');
  assert.equal(JSON.parse(request.body).stream, true);
  const body = 'data: {"choices":[{"delta":{"content":"hel"}}]}\\n\\ndata: {"choices":[{"delta":{"content":"lo"},"finish_reason":"stop"}]}\\n\\ndata: [DONE]\\n\\n';
  let state = '';
  const events = [];
  for (const piece of [body.slice(0, 20), body.slice(20, 70), body.slice(70)]) {
    const decoded = JSON.parse(provider.decodeStream(state, piece));
    state = decoded.state;
    events.push(...decoded.events);
  }
  assert.deepEqual(events, [{ type: 'text', text: 'hel' }, { type: 'text', text: 'lo' }, { type: 'stop', reason: 'end_turn' }]);
  assert.equal(JSON.parse(provider.decodeError(429, [['retry-after', '2']], 'slow down')).retry_after_ms, 2000);
});
`,
  };
}
