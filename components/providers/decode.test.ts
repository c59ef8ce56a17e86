// Each provider component decoding its API's real stream through the host client: the events are
// the same however the bytes are cut (every single boundary, then many random cuts, multi-byte
// characters split included); tool-call arguments come back whole from many deltas; usage and stop
// reasons are normalised; in-stream errors and malformed chunks end the stream with a coded error
// after the events before them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LlmEvent } from '../../agent/loop/llm-types.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { ANSWER, SAMPLES, anthropicStream, ollamaStream, openaiStream } from '../../test/providers/wire-samples.ts';
import {
  cutAt,
  decodeThroughClient,
  providerKernel,
  PROVIDERS,
  textOf,
  toolCalls,
  type Collected,
  type ProviderComponent,
} from '../../test/providers/support.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

/** A deterministic pseudo-random sequence (mulberry32), so a failing cut can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sameOutcome(actual: Collected, expected: Collected, where: string): void {
  assert.deepEqual(actual.events, expected.events, where);
  assert.equal(actual.error?.code, expected.error?.code, where);
}

describe("provider components decode their APIs' streams", () => {
  let kernel: Kernel;
  let cleanup: () => Promise<void>;
  before(async () => ({ kernel, cleanup } = await providerKernel()));
  after(() => cleanup());

  const decode = (component: ProviderComponent, text: string | Uint8Array[], cuts: number[] = []) =>
    decodeThroughClient(kernel, component, typeof text === 'string' ? cutAt(utf8(text), cuts) : text);

  for (const component of PROVIDERS) {
    describe(component, () => {
      test('the whole answer: text pieces, tool calls with their full arguments, usage, then the stop', async () => {
        const { events, error } = await decode(component, SAMPLES[component]());
        assert.equal(error, undefined);
        assert.deepEqual(
          events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text),
          ANSWER.text,
        );
        const calls = toolCalls(events);
        assert.deepEqual(
          calls.map((c) => [c.name, c.arguments]),
          ANSWER.calls.map((c) => [c.name, c.arguments]),
        );
        for (const call of calls) assert.deepEqual(JSON.parse(call.arguments), JSON.parse(ANSWER.calls[calls.indexOf(call)].arguments));
        if (component === 'ollama') {
          // Ollama gives no ids: they are made from the line's timestamp, unique per call.
          assert.deepEqual(
            calls.map((c) => c.id),
            ['call_20260101100000123456_0', 'call_20260101100000123456_1'],
          );
        } else {
          assert.deepEqual(
            calls.map((c) => c.id),
            ANSWER.calls.map((c) => c.id),
          );
        }
        // Every call's first event carries its id and name; later ones only arguments.
        for (const [index] of calls.entries()) {
          const pieces = events.filter((e): e is Extract<LlmEvent, { type: 'tool_call' }> => e.type === 'tool_call' && e.index === index);
          assert.ok(pieces[0].id && pieces[0].name, `first piece of call ${index} names it`);
          assert.ok(
            pieces.slice(1).every((p) => p.id === undefined && p.name === undefined),
            `later pieces of call ${index} are only arguments`,
          );
          if (component !== 'ollama') assert.ok(pieces.length > 10, `call ${index} came in ${pieces.length} pieces`);
        }
        assert.deepEqual(events.at(-2), { type: 'usage', input_tokens: 42, output_tokens: 17 });
        assert.deepEqual(events.at(-1), { type: 'stop', reason: 'tool_use' });
      });

      test('cut at every byte boundary, the events are the same', async () => {
        const text = SAMPLES[component]({ compact: true });
        const bytes = utf8(text);
        const whole = await decode(component, text);
        for (let k = 1; k < bytes.length; k++) sameOutcome(await decode(component, cutAt(bytes, [k])), whole, `cut at byte ${k} of ${bytes.length}`);
      });

      test('cut into many random pieces (one byte each, too), the events are the same', async () => {
        const text = SAMPLES[component]();
        const bytes = utf8(text);
        const whole = await decode(component, text);
        sameOutcome(
          await decode(
            component,
            cutAt(
              bytes,
              Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
            ),
          ),
          whole,
          'one byte per chunk',
        );
        const next = random(7);
        for (let round = 0; round < 40; round++) {
          const count = 2 + Math.floor(next() * 60);
          const cuts = [...new Set(Array.from({ length: count }, () => 1 + Math.floor(next() * (bytes.length - 1))))].sort((a, b) => a - b);
          sameOutcome(await decode(component, cutAt(bytes, cuts)), whole, `round ${round}: cuts ${cuts.join(',')}`);
        }
      });

      test('a body that ends before the stop is TITAN_E_PROVIDER_STREAM after the events that arrived', async () => {
        const text = SAMPLES[component]();
        const cut = text.indexOf(component === 'ollama' ? '"done":true' : component === 'openai' ? '"finish_reason":"tool_calls"' : 'message_delta');
        const { events, error } = await decode(component, text.slice(0, text.lastIndexOf('\n', cut) + 1));
        assert.equal(error?.code, 'TITAN_E_PROVIDER_STREAM');
        assert.deepEqual(events.filter((e) => e.type === 'text').length, ANSWER.text.length);
        assert.ok(!events.some((e) => e.type === 'stop'));
      });

      test('a malformed chunk is TITAN_E_PROVIDER_STREAM after the events before it', async () => {
        const broken =
          component === 'ollama'
            ? '{"model":"llama3.2","message":{"content":"cut\n'
            : component === 'openai'
              ? 'data: {"choices":[{"index":0,"delta":{"content":"cut\n\n'
              : 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"cut\n\n';
        const text = SAMPLES[component]({ calls: false });
        const firstTextEnd = text.indexOf('\n\n', text.indexOf('Héllo')) + 2;
        const head = component === 'ollama' ? text.slice(0, text.indexOf('\n', text.indexOf('Héllo')) + 1) : text.slice(0, firstTextEnd);
        const { events, error } = await decode(component, head + broken + text.slice(head.length));
        assert.equal(error?.code, 'TITAN_E_PROVIDER_STREAM');
        assert.match(error?.message ?? '', /not JSON/);
        assert.equal(textOf(events), 'Héllo');
      });
    });
  }

  describe('stop reasons and usage', () => {
    test('openai: stop -> end_turn, length -> max_tokens, no usage chunk -> stop at [DONE]', async () => {
      assert.deepEqual((await decode('openai', openaiStream({ calls: false }))).events.at(-1), { type: 'stop', reason: 'end_turn' });
      assert.deepEqual((await decode('openai', openaiStream({ calls: false, finish: 'length' }))).events.at(-1), { type: 'stop', reason: 'max_tokens' });
      const noUsage = await decode('openai', openaiStream({ usage: false }));
      assert.equal(noUsage.error, undefined);
      assert.ok(!noUsage.events.some((e) => e.type === 'usage'));
      assert.deepEqual(noUsage.events.at(-1), { type: 'stop', reason: 'tool_use' });
    });

    test('openai: a compatible server that says "stop" after tool calls still means tool_use', async () => {
      assert.deepEqual((await decode('openai', openaiStream({ finish: 'stop' }))).events.at(-1), { type: 'stop', reason: 'tool_use' });
    });

    test('anthropic: max_tokens, stop_sequence -> end_turn; input usage counts the prompt cache', async () => {
      assert.deepEqual((await decode('anthropic', anthropicStream({ calls: false, stop: 'max_tokens' }))).events.at(-1), {
        type: 'stop',
        reason: 'max_tokens',
      });
      const { events } = await decode('anthropic', anthropicStream({ calls: false, stop: 'stop_sequence' }));
      assert.deepEqual(events.slice(-2), [
        { type: 'usage', input_tokens: 42, output_tokens: 17 },
        { type: 'stop', reason: 'end_turn' },
      ]);
    });

    test('anthropic: a tool call without arguments still has a JSON object as arguments', async () => {
      const text =
        'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}\n\n' +
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"now","input":{}}}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}\n\n' +
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":3}}\n\n' +
        'event: message_stop\ndata: {"type":"message_stop"}\n\n';
      const { events } = await decode('anthropic', text);
      assert.deepEqual(toolCalls(events), [{ id: 'toolu_1', name: 'now', arguments: '{}' }]);
    });

    test('ollama: length -> max_tokens, stop without tools -> end_turn; a last line without its newline still counts', async () => {
      assert.deepEqual((await decode('ollama', ollamaStream({ calls: false, doneReason: 'length' }))).events.at(-1), { type: 'stop', reason: 'max_tokens' });
      const text = ollamaStream({ calls: false });
      const { events, error } = await decode('ollama', text.slice(0, -1));
      assert.equal(error, undefined);
      assert.deepEqual(events.at(-1), { type: 'stop', reason: 'end_turn' });
    });

    test('SSE with CRLF line ends (cut between CR and LF too) decodes the same as with LF', async () => {
      for (const component of ['openai', 'anthropic'] as const) {
        const text = SAMPLES[component]();
        const crlf = text.replace(/\n/g, '\r\n');
        const whole = await decode(component, text);
        const bytes = utf8(crlf);
        for (let k = 1; k < bytes.length; k += 1) {
          if (bytes[k - 1] !== 13) continue; // every cut right after a CR
          sameOutcome(await decode(component, cutAt(bytes, [k])), whole, `${component} CRLF cut at ${k}`);
        }
      }
    });
  });

  describe('errors inside a stream that already started', () => {
    test('anthropic event: error overloaded -> TITAN_E_PROVIDER_OVERLOADED after the text before it', async () => {
      const text = anthropicStream({ calls: false });
      const at = text.indexOf('event: content_block_delta', text.indexOf('wörld'));
      const error = 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}\n\n';
      const result = await decode('anthropic', text.slice(0, at) + error);
      assert.equal(result.error?.code, 'TITAN_E_PROVIDER_OVERLOADED');
      assert.equal(result.error?.details?.inStream, true);
      assert.equal(textOf(result.events), 'Héllo wörld');
    });

    test('openai {"error": ...} data line -> its code after the text before it', async () => {
      const text = openaiStream({ calls: false });
      const at = text.indexOf('data: ', text.indexOf('wörld'));
      const error = 'data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n';
      const result = await decode('openai', text.slice(0, at) + error);
      assert.equal(result.error?.code, 'TITAN_E_PROVIDER_UNAVAILABLE');
      assert.equal(textOf(result.events), 'Héllo wörld');
    });

    test('ollama {"error": ...} line -> its code after the text before it', async () => {
      const text = ollamaStream({ calls: false });
      const lines = text.split('\n');
      const result = await decode('ollama', `${lines.slice(0, 2).join('\n')}\n{"error":"server busy, please try again.  maximum pending requests exceeded"}\n`);
      assert.equal(result.error?.code, 'TITAN_E_PROVIDER_OVERLOADED');
      assert.equal(textOf(result.events), 'Héllo wörld');
    });
  });
});
