// The current OpenAI API as a client uses it: the official `openai` SDK against a running `titan
// start` whose model is the scripted LLM server. /v1/responses answers whole and streamed (the SDK's
// own event accumulator rebuilds the response), hands the model's function calls to the client and
// takes their outputs back; /v1/embeddings answers with Titan's local embedder and with the
// provider's own endpoint; bad requests are OpenAI-shaped errors.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startScriptedLlm, type ScriptedLlm } from '../agent/api.ts';
import { startTitan, stopTitan } from './support/cli.ts';
import { TEST_CACHE, tempHome } from './support/kernel.ts';

let llm: ScriptedLlm;
let titan: ChildProcess;
let client: OpenAI;
let cleanup: () => Promise<void>;

const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

before(async () => {
  llm = await startScriptedLlm({
    port: 0,
    script: {
      name: 'responses',
      // Background work (titles, memory) may ask the model too: it gets an echo.
      whenExhausted: 'echo',
      turns: [
        { repeat: true, match: { lastMessageContains: 'say hello' }, content: [{ type: 'text', text: 'Hello from the script.' }] },
        { repeat: true, match: { lastMessageContains: 'stream please' }, content: [{ type: 'text', text: ['Streamed ', 'in ', 'pieces.'] }] },
        {
          repeat: true,
          match: { lastMessageContains: 'weather in Paris' },
          content: [{ type: 'tool_call', id: 'call_w1', name: 'get_weather', arguments: { city: 'Paris' }, chunkSize: 5 }],
        },
        { repeat: true, match: { lastMessageContains: 'SUNNY-RESULT' }, content: [{ type: 'text', text: 'It is sunny in Paris.' }] },
      ],
    },
  });
  const made = await tempHome('titan-responses-');
  cleanup = made.cleanup;
  await symlink(TEST_CACHE, path.join(made.home, 'cache'));
  const running = await startTitan(made.home, 'gateway on ', { TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: llm.baseUrls.openai, TITAN_LOG_TO: 'file' });
  titan = running.child;
  const [, url, tokenFile] = /gateway on (http:\/\/\S+) \(token in (\S+)\)/.exec(running.output()) ?? [];
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: (await readFile(tokenFile, 'utf8')).trim(), maxRetries: 0, logLevel: 'off' });
});

after(async () => {
  await stopTitan(titan);
  await llm.close();
  await cleanup();
});

describe('/v1/responses', () => {
  test('a whole response from the agent: one message with the answer, and the thread it started', async () => {
    const { data: response, response: http } = await client.responses.create({ model: 'titan', input: 'say hello' }).withResponse();
    assert.equal(response.object, 'response');
    assert.equal(response.status, 'completed');
    assert.match(response.id, /^resp_/);
    assert.equal(response.output_text, 'Hello from the script.');
    assert.equal(response.output[0].type, 'message');
    assert.ok(http.headers.get('x-titan-thread'), 'the thread to continue is named');
  });

  test('a streamed response: the SDK rebuilds it from the events, text deltas arrive one by one', async () => {
    const stream = client.responses.stream({ model: 'titan', input: [{ role: 'user', content: [{ type: 'input_text', text: 'stream please' }] }] });
    const deltas: string[] = [];
    const types = new Set<string>();
    stream.on('event', (event) => types.add(event.type));
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    assert.equal(final.output_text, 'Streamed in pieces.');
    assert.deepEqual(deltas, ['Streamed ', 'in ', 'pieces.']);
    for (const type of ['response.created', 'response.output_item.added', 'response.output_text.done', 'response.output_item.done', 'response.completed']) {
      assert.ok(types.has(type), `${type} was sent`);
    }
  });

  test("with tools, the model's function call comes back to the client, and its output gets the answer", async () => {
    const first = await client.responses.create({ model: 'titan', input: 'What is the weather in Paris?', tools: [WEATHER_TOOL] });
    const call = first.output.find((item) => item.type === 'function_call');
    assert.ok(call && call.type === 'function_call', 'a function_call item');
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
    assert.equal(call.call_id, 'call_w1');

    const second = await client.responses.create({
      model: 'titan',
      tools: [WEATHER_TOOL],
      input: [
        { role: 'user', content: 'What is the weather in Paris?' },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: '{"sky": "SUNNY-RESULT"}' },
      ],
    });
    assert.equal(second.output_text, 'It is sunny in Paris.');
  });

  test('a streamed function call: its arguments arrive as deltas and the done item holds them whole', async () => {
    const stream = client.responses.stream({ model: 'titan', input: 'weather in Paris, streamed', tools: [WEATHER_TOOL] });
    const pieces: string[] = [];
    stream.on('response.function_call_arguments.delta', (event) => pieces.push(event.delta));
    const final = await stream.finalResponse();
    const call = final.output.find((item) => item.type === 'function_call');
    assert.ok(call && call.type === 'function_call');
    assert.ok(pieces.length > 1, 'in several deltas');
    assert.equal(pieces.join(''), call.arguments);
    assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
  });

  test('what Titan cannot honour is refused with the field and a way forward', async () => {
    await assert.rejects(client.responses.create({ model: 'titan', input: 'hi', previous_response_id: 'resp_old' }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.equal(error.param, 'previous_response_id');
      return true;
    });
    await assert.rejects(client.responses.create({ model: 'titan', input: 'hi', tools: [{ type: 'web_search' }] }), OpenAI.BadRequestError);
  });
});

describe('/v1/embeddings', () => {
  test("Titan's local embedder: one unit vector per text, as base64 (the SDK's default) or floats", async () => {
    const result = await client.embeddings.create({ model: 'titan-local', input: ['the weather in Paris', 'the weather in Rome'] });
    assert.equal(result.data.length, 2);
    const [a, b] = result.data.map((d) => d.embedding);
    assert.equal(a.length, 512);
    assert.ok(Math.abs(Math.hypot(...a) - 1) < 1e-4, 'normalised');
    const cosine = a.reduce((sum, x, i) => sum + x * b[i], 0);
    assert.ok(cosine > 0.3 && cosine < 0.999, `related texts are close but not equal (${cosine})`);
    const floats = await client.embeddings.create({ model: 'titan-local', input: 'short', dimensions: 64, encoding_format: 'float' });
    assert.equal(floats.data[0].embedding.length, 64);
    assert.ok(result.usage.prompt_tokens > 0);
  });

  test("a configured provider's embeddings, by <provider>/<model>", async () => {
    const result = await client.embeddings.create({ model: 'scripted/embed-test', input: 'hello' });
    assert.equal(result.model, 'scripted/embed-test');
    assert.equal(result.data[0].embedding.length, 256);
  });

  test('an unknown model is a 404 naming the ones there are; token arrays are refused', async () => {
    await assert.rejects(client.embeddings.create({ model: 'nope', input: 'x' }), OpenAI.NotFoundError);
    await assert.rejects(client.embeddings.create({ model: 'titan-local', input: [[1, 2, 3]] }), OpenAI.BadRequestError);
  });
});
