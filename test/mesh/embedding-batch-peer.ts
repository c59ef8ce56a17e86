// A mesh node in its own process with provider embeddings, for test/mesh/embedding-batch.test.ts:
// a scripted LLM server serves its embeddings endpoint and the node offers them to peers the way
// `titan start` does. "malformed" answers peers vectors of a varying dimension holding NaN.
// IPC: {op:'status'} → the mesh status; {op:'embed', texts} → what this node's provider returns.
import { Kernel } from '../../kernel/kernel.ts';
import { ReflexService } from '../../agent/reflex/service.ts';
import { offerEmbeddings } from '../../agent/reflex/start.ts';
import { reflexesSection } from '../../agent/reflex/config.ts';
import { Mesh, type MeshSettings } from '../../mesh/mesh.ts';
import { startScriptedLlm } from '../../agent/llm/scripted/server.ts';
import { TEST_CACHE } from '../support/kernel.ts';

const spec = JSON.parse(process.env.TITAN_EMBEDDING_PEER ?? '{}') as { home: string; mode: 'provider' | 'malformed'; settings: Partial<MeshSettings> };
const llm = await startScriptedLlm();
const kernel = await Kernel.open({ home: spec.home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
const config = { ...reflexesSection.defaults, embeddings: 'provider' as const };
const mesh = await Mesh.start(kernel, { heartbeatMs: 1000, ...spec.settings });
const provider = ReflexService.embedderFor(config, { name: 'scripted', component: 'openai', baseUrl: llm.baseUrls.openai, model: 'titan-scripted' });
offerEmbeddings(config, provider, mesh.agentPorts);
if (spec.mode === 'malformed') {
  mesh.embeddingBatches.serveWith({ name: 'malformed', embed: async (texts) => texts.map((_, i) => new Float32Array(8 + i).fill(Number.NaN)) }, 'malformed');
}

process.on('message', (m: { op: 'status' } | { op: 'embed'; texts: string[] }) => {
  if (m.op === 'status') process.send!({ status: mesh.status() });
  else void provider.embed(m.texts).then((vectors) => process.send!({ vectors: vectors.map((v) => Array.from(v)) }));
});
process.on(
  'disconnect',
  () =>
    void mesh
      .stop()
      .then(() => kernel.close())
      .then(() => llm.close())
      .then(() => process.exit(0)),
);
process.send!({ ready: true, id: mesh.id });
