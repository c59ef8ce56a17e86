// Streamed answers as each API sends them (field for field as api.openai.com, api.anthropic.com
// and `ollama serve` write them), written here independently of the scripted server: text with
// multi-byte characters, two tool calls whose arguments come in many small deltas, usage, a stop.

/** The answer every sample encodes. */
export const ANSWER = {
  text: ['Héllo', ' wörld', ' ✓ 🚀', ' 日本語', '.'],
  calls: [
    { id: 'call_w1', name: 'get_weather', arguments: JSON.stringify({ city: 'Zürich', unit: 'celsius', note: 'quote " and \\ and 🚀' }) },
    { id: 'call_t2', name: 'get_time', arguments: JSON.stringify({ zone: 'Europe/Zurich', verbose: true, n: [1, 2, 3] }) },
  ],
  usage: { input: 42, output: 17 },
};

/** Options every sample takes: without tool calls, or compact (one call, in bigger pieces: for the every-byte-boundary runs). */
export type SampleOptions = { calls?: boolean; compact?: boolean };

function callsOf(options: SampleOptions): Array<{ call: (typeof ANSWER.calls)[number]; size: number }> {
  if (options.calls === false) return [];
  return options.compact ? [{ call: ANSWER.calls[0], size: 12 }] : ANSWER.calls.map((call, i) => ({ call, size: 3 + i }));
}

/** Pieces of `size` characters (the APIs cut arguments anywhere, even inside an escape). */
export function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function sse(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

export function openaiStream(options: SampleOptions & { finish?: string; usage?: boolean } = {}): string {
  const base = {
    id: 'chatcmpl-B9',
    object: 'chat.completion.chunk',
    created: 1_767_225_600,
    model: 'gpt-4.1-mini-2025-04-14',
    service_tier: 'default',
    system_fingerprint: 'fp_1',
  };
  const usage = options.usage ?? true;
  const calls = callsOf(options);
  const withCalls = calls.length > 0;
  const chunk = (delta: unknown, finish: string | null = null) =>
    sse({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(usage ? { usage: null } : {}) });
  let out = chunk({ role: 'assistant', content: '', refusal: null });
  for (const text of ANSWER.text) out += chunk({ content: text });
  calls.forEach(({ call, size }, index) => {
    out += chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
    for (const piece of pieces(call.arguments, size)) out += chunk({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  out += chunk({}, options.finish ?? (withCalls ? 'tool_calls' : 'stop'));
  if (usage) {
    const u = { prompt_tokens: ANSWER.usage.input, completion_tokens: ANSWER.usage.output, total_tokens: ANSWER.usage.input + ANSWER.usage.output };
    out += sse({ ...base, choices: [], usage: u });
  }
  return out + sse('[DONE]');
}

export function anthropicStream(options: SampleOptions & { stop?: string } = {}): string {
  const calls = callsOf(options);
  const withCalls = calls.length > 0;
  let out = sse(
    {
      type: 'message_start',
      message: {
        id: 'msg_01',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 12, output_tokens: 1, service_tier: 'standard' },
      },
    },
    'message_start',
  );
  out += sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start');
  out += sse({ type: 'ping' }, 'ping');
  for (const text of ANSWER.text) out += sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }, 'content_block_delta');
  out += sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop');
  calls.forEach(({ call, size }, i) => {
    const index = i + 1;
    out += sse({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }, 'content_block_start');
    out += sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } }, 'content_block_delta');
    for (const piece of pieces(call.arguments, size)) {
      out += sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }, 'content_block_delta');
    }
    out += sse({ type: 'content_block_stop', index }, 'content_block_stop');
  });
  const stop = options.stop ?? (withCalls ? 'tool_use' : 'end_turn');
  out += sse({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: ANSWER.usage.output } }, 'message_delta');
  return out + sse({ type: 'message_stop' }, 'message_stop');
}

export function ollamaStream(options: SampleOptions & { doneReason?: string } = {}): string {
  const calls = callsOf(options);
  const head = { model: 'llama3.2', created_at: '2026-01-01T10:00:00.123456Z' };
  const line = (value: unknown) => `${JSON.stringify(value)}\n`;
  let out = '';
  for (const content of ANSWER.text) out += line({ ...head, message: { role: 'assistant', content }, done: false });
  if (calls.length > 0) {
    const tool_calls = calls.map(({ call }) => ({ function: { name: call.name, arguments: JSON.parse(call.arguments) } }));
    out += line({ ...head, message: { role: 'assistant', content: '', tool_calls }, done: false });
  }
  return (
    out +
    line({
      ...head,
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: options.doneReason ?? 'stop',
      total_duration: 5_000_000,
      load_duration: 100_000,
      prompt_eval_count: ANSWER.usage.input,
      prompt_eval_duration: 1_000_000,
      eval_count: ANSWER.usage.output,
      eval_duration: 3_000_000,
    })
  );
}

export const SAMPLES = { openai: openaiStream, anthropic: anthropicStream, ollama: ollamaStream } as const;
