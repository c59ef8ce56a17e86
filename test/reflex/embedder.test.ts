// Embeddings for mining and the shadow cache: the local embedder (no download) and a provider's
// endpoint (OpenAI /v1/embeddings, Ollama /api/embed), here the scripted LLM server's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cosine, localEmbedder, localEmbedding, providerEmbedder } from '../../agent/reflex/embedder.ts';
import { startScriptedLlm } from '../../agent/llm/scripted/server.ts';

test('the local embedder: deterministic unit vectors; a paraphrase is closer than another request', async () => {
  const [a, b, c] = await localEmbedder.embed(['weather in Rome', "what's the weather like in Rome?", 'delete my shopping note']);
  assert.deepEqual(a, localEmbedding('weather in Rome'));
  assert.ok(Math.abs(cosine(a, a) - 1) < 1e-6);
  assert.ok(cosine(a, b) > cosine(a, c) + 0.3, `${cosine(a, b)} vs ${cosine(a, c)}`);
});

test('provider embeddings over the OpenAI and Ollama wire formats; a failing endpoint is a coded error', async (t) => {
  const server = await startScriptedLlm();
  t.after(() => server.close());
  const openai = providerEmbedder({ name: 'openai', component: 'openai', baseUrl: server.baseUrls.openai, model: 'x', apiKeyEnv: 'KEY' }, 'embed-small', {
    KEY: 'sk-test',
  });
  const ollama = providerEmbedder({ name: 'ollama', component: 'ollama', baseUrl: server.baseUrls.ollama, model: 'x' }, 'nomic');
  for (const embedder of [openai, ollama]) {
    const [a, b, c] = await embedder.embed(['weather in Rome', 'the weather in Rome?', 'sell my stock']);
    assert.ok(Math.abs(cosine(a, a) - 1) < 1e-5);
    assert.ok(cosine(a, b) > cosine(a, c), embedder.name);
  }
  // The key goes in a header, from the variable the provider configuration names.
  const call = server.timeline().find((e) => e.path.endsWith('/v1/embeddings'));
  assert.equal(call?.headers.authorization, '[redacted]', JSON.stringify(server.timeline().map((e) => e.path)));
  const broken = providerEmbedder({ name: 'openai', component: 'openai', baseUrl: `${server.url}/nothing-here`, model: 'x' }, 'm');
  await assert.rejects(broken.embed(['x']), { code: 'TITAN_E_PROVIDER_BAD_REQUEST' });
});
