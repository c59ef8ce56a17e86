// Deterministic embeddings through the official SDKs: OpenAI /v1/embeddings (base64 by default,
// floats on request) and Ollama /api/embed and /api/embeddings.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { DEFAULT_DIMENSIONS, embed } from './embeddings.ts';
import { startScriptedLlm, type ScriptedLlm } from './server.ts';

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot; // the vectors are unit length
}

describe('embeddings', () => {
  let llm: ScriptedLlm;
  before(async () => (llm = await startScriptedLlm()));
  after(() => llm.close());

  test('the same text always gives the same unit vector; similar texts are closer than unrelated ones', () => {
    const a = embed('the cat sat on the mat');
    assert.deepEqual(a, embed('the cat sat on the mat'));
    assert.equal(a.length, DEFAULT_DIMENSIONS);
    assert.ok(Math.abs(cosine(a, a) - 1) < 1e-5);
    const near = cosine(a, embed('the cat sat on a mat'));
    const far = cosine(a, embed('quarterly revenue grew by 4%'));
    assert.ok(near > 0.7 && far < 0.3 && near > far, `near ${near}, far ${far}`);
  });

  test('openai SDK: the default base64 answer decodes to the same vectors, in input order', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: llm.baseUrls.openai, maxRetries: 0 });
    const response = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
    assert.equal(response.data.length, 2);
    assert.deepEqual(
      response.data.map((d) => d.index),
      [0, 1],
    );
    assert.deepEqual(Array.from(response.data[1].embedding), embed('beta'));
    assert.ok(response.usage.prompt_tokens > 0);
    const floats = await client.embeddings.create({ model: 'e', input: 'alpha', encoding_format: 'float', dimensions: 64 });
    assert.deepEqual(floats.data[0].embedding, embed('alpha', 64));
    assert.equal(llm.timeline().at(-1)?.route, 'openai');
  });

  test('ollama SDK: embed() for many inputs; the older /api/embeddings for one prompt', async () => {
    const client = new Ollama({ host: llm.baseUrls.ollama });
    const response = await client.embed({ model: 'nomic-embed-text', input: ['one', 'two'], dimensions: 32 });
    assert.deepEqual(response.embeddings, [embed('one', 32), embed('two', 32)]);
    const single = await client.embeddings({ model: 'nomic-embed-text', prompt: 'one' });
    assert.deepEqual(single.embedding, embed('one'));
  });

  test('bad input is a 400 in the provider format', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: llm.baseUrls.openai, maxRetries: 0 });
    await assert.rejects(client.embeddings.create({ model: 'e', input: [] }), (e: unknown) => e instanceof OpenAI.BadRequestError);
    await assert.rejects(
      new Ollama({ host: llm.url }).embed({ model: 'e', input: 'x', dimensions: 0 }),
      (e: unknown) => e instanceof Error && /dimensions/.test(e.message),
    );
  });
});
