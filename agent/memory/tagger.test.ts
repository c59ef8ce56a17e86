// Latent tagging: by the background model when one is configured (its summary and keywords, cut to
// size), by deterministic keywords otherwise or when the model answers something unusable; which
// model memory.tagger picks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Llm } from '../llm/llm.ts';
import type { ProviderConfig } from '../llm/provider-client.ts';
import type { ChatRequest, LlmEvent } from '../loop/llm-types.ts';
import { memorySection } from './config.ts';
import { taggerModel } from './start.ts';
import { tag, tagWithModel } from './tagger.ts';

const NOTE = '# Deploy\nRun the deploy script from the ops folder. The deploy needs the staging credentials.\n';

function answering(text: string, seen: ChatRequest[] = []) {
  return async function* (request: ChatRequest): AsyncGenerator<LlmEvent> {
    seen.push(request);
    yield { type: 'text', text };
    yield { type: 'stop', reason: 'end_turn' };
  };
}

test("the model's summary and keywords, cut to size; an unusable answer leaves the keywords", async () => {
  const seen: ChatRequest[] = [];
  const byModel = await tagWithModel(
    NOTE,
    answering(
      'Sure: {"summary": "How to deploy:   run the ops script with staging credentials.", "keywords": ["Deploy", "staging", "deploy", 7, "ops"]}',
      seen,
    ),
  );
  assert.deepEqual(byModel, { summary: 'How to deploy: run the ops script with staging credentials.', keywords: ['deploy', 'staging', 'ops'], by: 'model' });
  assert.match(seen[0].messages[1].content, /Run the deploy script/);
  for (const junk of ['I cannot help with that.', '{"summary": "", "keywords": []}', '{"summary": "x", "keywords": "deploy"}']) {
    assert.deepEqual(await tagWithModel(NOTE, answering(junk)), { ...tag(NOTE), by: 'keywords' });
  }
  const failing = async function* (): AsyncGenerator<LlmEvent> {
    yield { type: 'error', code: 'server', message: 'down' };
  };
  assert.equal((await tagWithModel(NOTE, failing)).by, 'keywords');
});

test('memory.tagger: auto uses the background model only, model also the chat model, keywords never a model', () => {
  const provider = { name: 'ollama', component: 'ollama', baseUrl: 'http://127.0.0.1:11434' } as ProviderConfig;
  const llm = (background: boolean): Llm => ({
    providers: [provider],
    background: background ? provider : undefined,
    configured: true,
    stream: answering('{}'),
    breakers: () => [],
  });
  const config = (tagger: 'auto' | 'model' | 'keywords') => ({ ...memorySection.defaults, tagger });
  assert.equal(memorySection.defaults.tagger, 'auto');
  assert.equal(taggerModel(config('auto'), llm(false)), undefined);
  assert.ok(taggerModel(config('auto'), llm(true)));
  assert.ok(taggerModel(config('model'), llm(false)));
  assert.equal(taggerModel(config('keywords'), llm(true)), undefined);
  assert.equal(taggerModel(config('model'), undefined), undefined);
});
