// Embedding batches offloaded over the mesh: node A (in this process, reflexes.embeddings "mesh", no
// provider) embeds through peer B (its own process, reflexes.embeddings "provider" on a scripted LLM
// server). A peer answering malformed vectors is rejected with a coded error and A embeds locally;
// with no peer, A embeds locally; a run whose source changes mid-run starts again, all local.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GatewayMetrics } from '../../gateway/metrics.ts';
import { Kernel } from '../../kernel/kernel.ts';
import { EmbedderSwitched, localEmbedding, type Embedder, type Vector } from '../../agent/reflex/embedder.ts';
import { ReflexService } from '../../agent/reflex/service.ts';
import { reflexesSection } from '../../agent/reflex/config.ts';
import { Mesh } from '../../mesh/mesh.ts';
import { TEST_CACHE } from '../support/kernel.ts';
import { prepare, until, type Prepared } from './support/cluster.ts';
import { forkPeer } from './support/peer-process.ts';

type Status = ReturnType<Mesh['status']>;
const PEER = fileURLToPath(new URL('./embedding-batch-peer.ts', import.meta.url));
const TEXTS = ['what is the weather in paris', 'weather in oslo please', 'greet ada'];

/** Node A in this process: a kernel embedding through the mesh, admitting the given peers. */
async function nodeA(t: TestContext, a: Prepared, peers: string[]): Promise<{ kernel: Kernel; mesh: Mesh; embedder: Embedder }> {
  const kernel = await Kernel.open({ home: a.home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  const mesh = await Mesh.start(kernel, { listen: [a.tcp.replace(/\/p2p\/.*$/, '')], allowlist: peers, heartbeatMs: 1000, bootstrap: [] });
  t.after(async () => {
    await mesh.stop();
    await kernel.close();
    await a.cleanup();
  });
  return { kernel, mesh, embedder: ReflexService.embedderFor({ ...reflexesSection.defaults, embeddings: 'mesh' }, undefined, mesh.agentPorts) };
}

type Peer = { id: string; status(): Promise<Status>; embed(texts: string[]): Promise<number[][]> };

/** Peer B with provider embeddings (test/mesh/embedding-batch-peer.ts), in its own process. */
async function peerB(t: TestContext, a: Prepared, mode: 'provider' | 'malformed'): Promise<Peer> {
  const peer = await prepare();
  const settings = { listen: [peer.tcp.replace(/\/p2p\/.*$/, '')], allowlist: [a.id], bootstrap: [a.tcp] };
  const child = await forkPeer(t, PEER, peer, { TITAN_EMBEDDING_PEER: { home: peer.home, mode, settings } }, 'the embedding peer');
  const ask = <T>(message: object) =>
    new Promise<T>((resolve) => {
      child.once('message', (m: T) => resolve(m));
      child.send(message);
    });
  return {
    id: peer.id,
    status: async () => (await ask<{ status: Status }>({ op: 'status' })).status,
    embed: async (texts) => (await ask<{ vectors: number[][] }>({ op: 'embed', texts })).vectors,
  };
}

const advertisesEmbeddings = (mesh: Mesh, peer: string) => mesh.peers().some((p) => p.id === peer && p.connected && p.embeddings !== undefined);
const plain = (vectors: Vector[]) => vectors.map((v) => Array.from(v));

function assertClose(actual: number[][], expected: number[][]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, i) => {
    assert.equal(row.length, expected[i].length, `vector ${i} dimension`);
    for (const [j, v] of row.entries()) assert.ok(Math.abs(v - expected[i][j]) < 1e-6, `vector ${i}[${j}]: ${v} vs ${expected[i][j]}`);
  });
}

test('a node without an embedding model has its batches embedded by the peer advertising embeddings', async (t) => {
  const a = await prepare();
  const b = await peerB(t, a, 'provider');
  const { kernel, mesh, embedder } = await nodeA(t, a, [b.id]);
  await until('A hears B advertise embeddings', () => advertisesEmbeddings(mesh, b.id));
  assert.equal(mesh.peers().find((p) => p.id === b.id)?.embeddings?.model, 'text-embedding-3-small');

  const run = embedder.forRun!();
  const vectors = plain(await run.embed(TEXTS));
  assertClose(vectors, await b.embed(TEXTS));
  assert.notDeepEqual(vectors[0].length, localEmbedding(TEXTS[0]).length, "the vectors are the provider's, not the local embedder's");

  const status = mesh.status();
  assert.deepEqual(
    { offered: status.embeddingBatches.offered, byPeers: status.embeddingBatches.embeddedByPeers, here: status.embeddingBatches.embeddedHere },
    { offered: 1, byPeers: 1, here: 0 },
  );
  assert.equal(status.tasksByType['embedding-batch'].sent, 1);
  const statusB = await b.status();
  assert.equal(statusB.embeddingBatches.embeddedForPeers, 1);
  assert.equal(statusB.tasksByType['embedding-batch'].executedForPeers, 1);
  const metrics = new GatewayMetrics(kernel, () => 0, mesh);
  t.after(() => metrics.close());
  const scraped = (await metrics.scrape()).body;
  assert.match(scraped, /^titan_mesh_embedding_batches_total\{event="embedded_by_peer"\} 1$/m);
  assert.match(scraped, /^titan_mesh_tasks_by_type_total\{type="embedding-batch",event="sent"\} 1$/m);

  // A batch over the bound is never sent; the run already had a peer's vectors, so it restarts
  // (EmbedderSwitched) and from then on embeds everything here: one run never mixes embedders.
  await assert.rejects(run.embed(Array.from({ length: 600 }, (_, i) => `text ${i}`)), EmbedderSwitched);
  assert.deepEqual(plain(await run.embed(TEXTS)), plain(TEXTS.map((text) => localEmbedding(text))));
  assert.equal(mesh.status().embeddingBatches.fallbacks, 1);
  assert.equal(mesh.status().embeddingBatches.offered, 1);

  // B refuses a batch over the bound sent anyway.
  const big = mesh.submit({
    type: 'embedding-batch',
    assignee: b.id,
    name: 'embeddings',
    fn: 'embed',
    args: [Array.from({ length: 600 }, (_, i) => `text ${i}`)],
  });
  await assert.rejects(big.result, { code: 'TITAN_E_MESH_TASK_TOO_LARGE' });
  assert.equal((await b.status()).embeddingBatches.refused, 1);

  // The next run goes to the peer again, with the dimension of the first.
  assertClose(plain(await embedder.forRun!().embed(TEXTS.slice(0, 1))), await b.embed(TEXTS.slice(0, 1)));
  assert.equal(mesh.status().embeddingBatches.dimensions, vectors[0].length);
});

test('a peer answering malformed vectors is rejected with a coded error and the run embeds locally', async (t) => {
  const a = await prepare();
  const b = await peerB(t, a, 'malformed');
  const { mesh, embedder } = await nodeA(t, a, [b.id]);
  await until('A hears the peer advertise embeddings', () => advertisesEmbeddings(mesh, b.id));

  const run = embedder.forRun!();
  assert.deepEqual(plain(await run.embed(TEXTS)), plain(TEXTS.map((text) => localEmbedding(text))));
  assert.deepEqual(plain(await run.embed(['greet alan'])), [Array.from(localEmbedding('greet alan'))], 'the rest of the run stays local');
  const status = mesh.status().embeddingBatches;
  assert.deepEqual(
    { offered: status.offered, rejected: status.rejected, fallbacks: status.fallbacks, here: status.embeddedHere, byPeers: status.embeddedByPeers },
    { offered: 1, rejected: 1, fallbacks: 1, here: 2, byPeers: 0 },
  );
  assert.equal(status.lastRejection?.code, 'TITAN_E_MESH_EMBEDDINGS_REJECTED');
  assert.equal(status.lastRejection?.peer, b.id);
  assert.match(status.lastRejection?.message ?? '', /dimensions|finite/);
  assert.equal((await b.status()).embeddingBatches.embeddedForPeers, 1);
});

test('with no peer advertising embeddings, batches embed locally', async (t) => {
  const a = await prepare();
  const { mesh, embedder } = await nodeA(t, a, []);
  assert.deepEqual(plain(await embedder.forRun!().embed(TEXTS)), plain(TEXTS.map((text) => localEmbedding(text))));
  const status = mesh.status().embeddingBatches;
  assert.deepEqual({ offered: status.offered, here: status.embeddedHere, fallbacks: status.fallbacks }, { offered: 0, here: 1, fallbacks: 0 });
  assert.equal(status.serving, undefined, 'a node without provider embeddings offers none');
});
