// Faults on cue, as each official SDK sees them: HTTP errors in the provider's own body and status
// (each SDK's own error class), a disconnect mid-stream after the chunks before it arrived, an
// in-stream error event, a malformed chunk, retries honouring retry-after, and a client that leaves.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import type { Fault, Script } from './script.ts';
import { startScriptedLlm, type ScriptedLlm } from './server.ts';
import type { TimelineEntry } from './timeline.ts';

const five: Script['turns'][number]['content'] = [{ type: 'text', text: ['a', 'b', 'c', 'd', 'e'] }];
const user = [{ role: 'user' as const, content: 'go' }];

type OllamaError = Error & { status_code: number; error: string };
function isOllamaError(error: unknown, status: number): error is OllamaError {
  return error instanceof Error && error.name === 'ResponseError' && (error as OllamaError).status_code === status;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), 'condition not reached in 1 s');
}

describe('faults', () => {
  let llm: ScriptedLlm;
  let oa: OpenAI;
  let an: Anthropic;
  let ol: Ollama;
  const faultTurn = (fault: Fault, content = five): void => llm.load({ turns: [{ fault, content }] });

  before(async () => {
    llm = await startScriptedLlm();
    oa = new OpenAI({ apiKey: 'sk-test', baseURL: llm.baseUrls.openai, maxRetries: 0, logLevel: 'off' });
    an = new Anthropic({ apiKey: 'sk-ant-test', baseURL: llm.baseUrls.anthropic, maxRetries: 0, logLevel: 'off' });
    ol = new Ollama({ host: llm.baseUrls.ollama });
  });
  beforeEach(() => llm.reset());
  after(() => llm.close());

  describe("HTTP errors surface as each SDK's own error class with the status", () => {
    test('429 rate limit with retry-after', async () => {
      faultTurn({ kind: 'rate_limit', retryAfterSeconds: 2 });
      await assert.rejects(oa.chat.completions.create({ model: 'm', messages: user, stream: true }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.RateLimitError);
        assert.equal(e.status, 429);
        assert.equal(e.code, 'rate_limit_exceeded');
        assert.equal(e.headers.get('retry-after'), '2');
        return true;
      });
      faultTurn({ kind: 'rate_limit', retryAfterSeconds: 2 });
      await assert.rejects(an.messages.create({ model: 'c', max_tokens: 9, messages: user, stream: true }), (e: unknown) => {
        assert.ok(e instanceof Anthropic.RateLimitError);
        assert.equal(e.status, 429);
        assert.equal(e.type, 'rate_limit_error');
        assert.equal(e.headers.get('retry-after'), '2');
        assert.match(e.requestID ?? '', /^req_/);
        return true;
      });
      faultTurn({ kind: 'rate_limit' });
      await assert.rejects(ol.chat({ model: 'l', messages: user, stream: true }), (e: unknown) => isOllamaError(e, 429));
      const entries = llm.timeline();
      assert.deepEqual(
        entries.map((e) => [e.status, e.fault?.kind, e.ended?.outcome]),
        Array(3).fill([429, 'rate_limit', 'http_error']),
      );
    });

    test('overloaded: 529 from Anthropic, 503 from OpenAI and Ollama (or the status the script names)', async () => {
      faultTurn({ kind: 'overloaded' });
      await assert.rejects(an.messages.create({ model: 'c', max_tokens: 9, messages: user, stream: true }), (e: unknown) => {
        assert.ok(e instanceof Anthropic.OverloadedError && e instanceof Anthropic.InternalServerError);
        assert.equal(e.status, 529);
        assert.equal(e.type, 'overloaded_error');
        return true;
      });
      faultTurn({ kind: 'overloaded' });
      await assert.rejects(oa.chat.completions.create({ model: 'm', messages: user, stream: true }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.InternalServerError);
        assert.equal(e.status, 503);
        return true;
      });
      faultTurn({ kind: 'overloaded', status: 529 });
      await assert.rejects(
        oa.chat.completions.create({ model: 'm', messages: user }),
        (e: unknown) => e instanceof OpenAI.InternalServerError && e.status === 529,
      );
      faultTurn({ kind: 'overloaded' });
      await assert.rejects(ol.chat({ model: 'l', messages: user, stream: false }), (e: unknown) => isOllamaError(e, 503) && /server busy/.test(e.error));
    });

    test('400 context too long', async () => {
      faultTurn({ kind: 'context_too_long' });
      await assert.rejects(oa.chat.completions.create({ model: 'm', messages: user }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.BadRequestError);
        assert.equal(e.code, 'context_length_exceeded');
        assert.equal(e.param, 'messages');
        return true;
      });
      faultTurn({ kind: 'context_too_long' });
      await assert.rejects(
        an.messages.create({ model: 'c', max_tokens: 9, messages: user }),
        (e: unknown) => e instanceof Anthropic.BadRequestError && e.type === 'invalid_request_error' && /prompt is too long/.test(e.message),
      );
      faultTurn({ kind: 'context_too_long' });
      await assert.rejects(ol.chat({ model: 'l', messages: user, stream: true }), (e: unknown) => isOllamaError(e, 400) && /context length/.test(e.error));
    });

    test('401 authentication', async () => {
      faultTurn({ kind: 'auth' });
      await assert.rejects(
        oa.chat.completions.create({ model: 'm', messages: user, stream: true }),
        (e: unknown) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key',
      );
      faultTurn({ kind: 'auth', message: 'invalid x-api-key' });
      await assert.rejects(
        an.messages.stream({ model: 'c', max_tokens: 9, messages: user }).finalMessage(),
        (e: unknown) => e instanceof Anthropic.AuthenticationError && e.status === 401 && e.type === 'authentication_error',
      );
      faultTurn({ kind: 'auth' });
      await assert.rejects(ol.chat({ model: 'l', messages: user, stream: false }), (e: unknown) => isOllamaError(e, 401));
    });
  });

  test('with retries on, the SDKs retry a 429 and a 529 by themselves and the next turn answers', async () => {
    llm.load({ turns: [{ fault: { kind: 'rate_limit', retryAfterSeconds: 0 } }, { content: [{ type: 'text', text: 'second try' }] }] });
    const retrying = new OpenAI({ apiKey: 'x', baseURL: llm.baseUrls.openai, maxRetries: 1 });
    const completion = await retrying.chat.completions.create({ model: 'm', messages: user });
    assert.equal(completion.choices[0].message.content, 'second try');
    llm.load({ turns: [{ fault: { kind: 'overloaded', retryAfterSeconds: 0 } }, { content: [{ type: 'text', text: 'after 529' }] }] });
    const anthropicRetrying = new Anthropic({ apiKey: 'x', baseURL: llm.baseUrls.anthropic, maxRetries: 1 });
    const message = await anthropicRetrying.messages.create({ model: 'c', max_tokens: 9, messages: user });
    assert.deepEqual(message.content, [{ type: 'text', text: 'after 529' }]);
    assert.deepEqual(
      llm.timeline().map((e) => e.status),
      [429, 200, 529, 200],
    );
  });

  describe('a disconnect mid-stream is an error in the SDK stream, after the chunks before it arrived', () => {
    test('openai, cut in the middle of tool-call arguments', async () => {
      llm.load({
        turns: [
          {
            content: [
              { type: 'text', text: ['x'] },
              { type: 'tool_call', name: 'shell', arguments: { command: 'echo hello world' }, chunkSize: 4 },
            ],
            fault: { kind: 'disconnect', afterChunks: 4 },
          },
        ],
      });
      const stream = await oa.chat.completions.create({ model: 'm', messages: user, stream: true });
      let text = '';
      let args = '';
      await assert.rejects(async () => {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
        }
      }, /terminated/); // undici's error for a body cut short, as with a real dropped connection
      assert.equal(text, 'x');
      assert.equal(args, '{"command":"', 'three 4-character argument deltas arrived');
      const [entry] = llm.timeline();
      assert.equal(entry.ended?.outcome, 'disconnected');
      assert.equal(entry.sent.filter((f) => f.content).length, 4);
    });

    test('anthropic', async () => {
      faultTurn({ kind: 'disconnect', afterChunks: 3 });
      const stream = an.messages.stream({ model: 'c', max_tokens: 9, messages: user });
      const texts: string[] = [];
      stream.on('text', (t) => texts.push(t));
      await assert.rejects(stream.finalMessage(), (e: unknown) => e instanceof Anthropic.AnthropicError && /terminated/.test(e.message));
      assert.deepEqual(texts, ['a', 'b', 'c']);
    });

    test('ollama', async () => {
      faultTurn({ kind: 'disconnect', afterChunks: 2 });
      const stream = await ol.chat({ model: 'l', messages: user, stream: true });
      const texts: string[] = [];
      await assert.rejects(async () => {
        for await (const part of stream) texts.push(part.message.content);
      }, /terminated/);
      assert.deepEqual(texts, ['a', 'b']);
    });

    test('a non-streamed request gets no answer at all', async () => {
      faultTurn({ kind: 'disconnect', afterChunks: 0 });
      await assert.rejects(oa.chat.completions.create({ model: 'm', messages: user }), (e: unknown) => e instanceof OpenAI.APIConnectionError);
    });
  });

  describe('an error event inside a started stream', () => {
    test('anthropic overloaded_error event after two chunks', async () => {
      faultTurn({ kind: 'stream_error', afterChunks: 2 });
      const stream = an.messages.stream({ model: 'c', max_tokens: 9, messages: user });
      const texts: string[] = [];
      stream.on('text', (t) => texts.push(t));
      await assert.rejects(stream.finalMessage(), (e: unknown) => e instanceof Anthropic.APIError && e.type === 'overloaded_error');
      assert.deepEqual(texts, ['a', 'b']);
    });

    test('openai {"error": ...} data event', async () => {
      faultTurn({ kind: 'stream_error', afterChunks: 1, error: 'server_error', message: 'boom' });
      const stream = await oa.chat.completions.create({ model: 'm', messages: user, stream: true });
      await assert.rejects(
        async () => {
          for await (const chunk of stream) void chunk;
        },
        (e: unknown) => e instanceof OpenAI.APIError && /boom/.test(e.message),
      );
    });

    test('ollama {"error": ...} line', async () => {
      faultTurn({ kind: 'stream_error', afterChunks: 1 });
      const stream = await ol.chat({ model: 'l', messages: user, stream: true });
      await assert.rejects(async () => {
        for await (const part of stream) void part;
      }, /server busy/);
    });
  });

  describe('a malformed chunk', () => {
    test('breaks the openai and anthropic streams with a parse error', async () => {
      faultTurn({ kind: 'malformed', afterChunks: 2 });
      const stream = await oa.chat.completions.create({ model: 'm', messages: user, stream: true });
      let text = '';
      await assert.rejects(async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      }, SyntaxError);
      assert.equal(text, 'ab');
      faultTurn({ kind: 'malformed', afterChunks: 1 });
      await assert.rejects(
        an.messages.stream({ model: 'c', max_tokens: 9, messages: user }).finalMessage(),
        (e: unknown) => e instanceof Anthropic.AnthropicError && e.cause instanceof SyntaxError,
      );
    });

    test('is skipped by the ollama SDK, which reads on', async (t) => {
      const warn = t.mock.method(console, 'warn', () => undefined);
      faultTurn({ kind: 'malformed', afterChunks: 2 });
      const response = await ol.chat({ model: 'l', messages: user, stream: true });
      let text = '';
      for await (const part of response) text += part.message.content;
      assert.equal(text, 'abcde');
      assert.equal(warn.mock.callCount(), 1);
      const entry = llm.timeline()[0];
      assert.equal(entry.fault?.kind, 'malformed');
      assert.ok(entry.sent[2].data.startsWith('{"model":"titan"'), 'the broken line went out third');
    });
  });

  describe('timing', () => {
    const contentFrames = (entry: TimelineEntry) => entry.sent.filter((f) => f.content);

    test('per-chunk delays: chunks go out in order, each later than the one before, and arrive after they were sent', async () => {
      llm.load({ turns: [{ firstDelayMs: 40, delayMs: 20, content: [{ type: 'text', text: ['one ', 'two ', 'three ', 'four'] }] }] });
      const stream = await oa.chat.completions.create({ model: 'm', messages: user, stream: true });
      const arrivals: { text: string; at: number }[] = [];
      for await (const chunk of stream) {
        const text = chunk.choices[0]?.delta.content;
        if (text) arrivals.push({ text, at: performance.now() });
      }
      const [entry] = llm.timeline();
      const frames = contentFrames(entry);
      assert.deepEqual(
        frames.map((f) => JSON.parse(f.data.slice('data: '.length)).choices[0].delta.content),
        ['one ', 'two ', 'three ', 'four'],
      );
      let previous = entry.received.at;
      let previousWall = entry.received.wallMs;
      for (const frame of frames) {
        assert.ok(frame.at > previous, 'each chunk is sent later than the one before');
        assert.ok(frame.wallMs >= previousWall);
        previous = frame.at;
        previousWall = frame.wallMs;
      }
      assert.ok(frames[0].at > entry.sent[0].at, 'the first chunk waited after the role chunk');
      assert.deepEqual(
        arrivals.map((a) => a.text),
        ['one ', 'two ', 'three ', 'four'],
      );
      for (const [i, arrival] of arrivals.entries()) assert.ok(arrival.at >= frames[i].at, 'a chunk arrives after it was sent');
      assert.ok(entry.ended && entry.ended.at >= frames[3].at);
    });

    test('part delays override the turn delay (anthropic and ollama)', async () => {
      const script: Script = {
        turns: [
          {
            repeat: true,
            delayMs: 0,
            content: [
              { type: 'text', text: 'fast words here' },
              { type: 'tool_call', name: 't', arguments: { a: 1 }, delayMs: 15, chunkSize: 2 },
            ],
          },
        ],
      };
      llm.load(script);
      await an.messages.create({ model: 'c', max_tokens: 9, messages: user, stream: true }).then(async (s) => {
        for await (const event of s) void event;
      });
      await ol.chat({ model: 'l', messages: user, stream: false });
      const [anthropicEntry, ollamaEntry] = llm.timeline();
      const frames = contentFrames(anthropicEntry);
      assert.equal(frames.length, 3 + Math.ceil('{"a":1}'.length / 2));
      for (let i = 1; i < frames.length; i++) {
        // the three words have no delay (same or later); each argument delta waited 15 ms (strictly later)
        assert.ok(i < 3 ? frames[i].at >= frames[i - 1].at : frames[i].at > frames[i - 1].at);
      }
      assert.ok(ollamaEntry.ended && ollamaEntry.ended.at > ollamaEntry.received.at);
      assert.equal(ollamaEntry.sent.length, 1, 'a non-streamed answer is one write');
    });

    test('a client that stops reading mid-stream is recorded as client_closed and the server stops sending', async () => {
      llm.load({ turns: [{ delayMs: 30, content: [{ type: 'text', text: ['1', '2', '3', '4', '5', '6', '7', '8'] }] }] });
      const stream = await oa.chat.completions.create({ model: 'm', messages: user, stream: true });
      let seen = 0;
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content && ++seen === 2) break; // the SDK aborts the request
      }
      await until(() => llm.timeline()[0].ended !== null);
      const [entry] = llm.timeline();
      assert.equal(entry.ended?.outcome, 'client_closed');
      assert.ok(entry.sent.filter((f) => f.content).length < 8);
    });
  });
});
