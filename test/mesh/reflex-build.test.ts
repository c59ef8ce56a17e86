// Reflex builds offloaded over the mesh: node A (in this process, with a kernel and its mesh)
// compiles a pattern; a peer advertising reflex builds builds it, A checks and publishes it and
// serves it. A peer answering a non-component, or a component importing more than its manifest
// grants, is rejected with a coded error and A builds the reflex itself; with no peer, A builds.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GatewayMetrics } from '../../gateway/metrics.ts';
import { Kernel } from '../../kernel/kernel.ts';
import { compileReflex, reflexManifest } from '../../agent/reflex/compiler.ts';
import { Mesh } from '../../mesh/mesh.ts';
import type { TaskMessage } from '../../mesh/messages.ts';
import { greetReflex } from '../support/greet-reflex.ts';
import { TEST_CACHE } from '../support/kernel.ts';
import { prepare, spawnNode, until, type Prepared } from './support/cluster.ts';
import { forkPeer } from './support/peer-process.ts';

type Status = ReturnType<Mesh['status']>;
const BAD_PEER = fileURLToPath(new URL('./reflex-build-peer.ts', import.meta.url));

// One reflex in every test (each node has its own registry): its build is cached after the first.
const NAME = 'reflex-greet';
const greet = (name: string) => greetReflex(name, `test:${name}`);

/** Node A in this process: a kernel with its mesh, admitting the given peers. */
async function nodeA(t: TestContext, a: Prepared, peers: Prepared[]): Promise<{ kernel: Kernel; mesh: Mesh }> {
  const kernel = await Kernel.open({ home: a.home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  const mesh = await Mesh.start(kernel, { listen: [a.tcp.replace(/\/p2p\/.*$/, '')], allowlist: peers.map((p) => p.id), heartbeatMs: 1000, bootstrap: [] });
  t.after(async () => {
    await mesh.stop();
    await kernel.close();
    await a.cleanup();
  });
  return { kernel, mesh };
}

const peerSettings = (peer: Prepared, a: Prepared) => ({ listen: [peer.tcp.replace(/\/p2p\/.*$/, '')], allowlist: [a.id], bootstrap: [a.tcp] });

/** A peer that answers reflex builds badly (test/mesh/reflex-build-peer.ts), in its own process. */
async function badPeer(t: TestContext, a: Prepared, mode: 'garbage' | 'overreach'): Promise<{ id: string; status(): Promise<Status> }> {
  const peer = await prepare();
  const child = await forkPeer(t, BAD_PEER, peer, { TITAN_REFLEX_BUILD_PEER: { home: peer.home, mode, settings: peerSettings(peer, a) } }, 'the bad peer');
  return {
    id: peer.id,
    status: () =>
      new Promise((resolve) => {
        child.once('message', (m: { status: Status }) => resolve(m.status));
        child.send({});
      }),
  };
}

const buildsReflexes = (mesh: Mesh, peer: string) => mesh.peers().some((p) => p.id === peer && p.connected && p.builds.includes('reflex'));

async function reflexAnswers(kernel: Kernel, manifest: Awaited<ReturnType<typeof compileReflex>>['manifest'], prompt: string): Promise<string> {
  const deployment = await kernel.createDeployment(manifest);
  try {
    const match = (await deployment.call('match', [prompt])) as { slotsJson: string } | null;
    assert.ok(match, `the reflex matches "${prompt}"`);
    return (await deployment.call('execute', [match.slotsJson])) as string;
  } finally {
    await deployment.close();
  }
}

test('a reflex is built on the peer that advertises reflex builds, then checked, published and served by the node that compiled it', async (t) => {
  const [a, b] = await Promise.all([prepare(), prepare()]);
  const { kernel, mesh } = await nodeA(t, a, [b]);
  const nodeB = await spawnNode(t, { settings: peerSettings(b, a) }, b);
  await until('A hears B advertise reflex builds', () => buildsReflexes(mesh, b.id));

  const compiled = await compileReflex(kernel, greet(NAME), '1.0.0', { timeoutMs: 2000, offload: mesh.reflexBuilds });
  const statusA = mesh.status();
  assert.equal(statusA.reflexBuilds.offered, 1);
  assert.equal(statusA.reflexBuilds.builtByPeers, 1);
  assert.equal(statusA.reflexBuilds.builtHere, 0, 'A did not build the reflex itself');
  assert.equal(statusA.tasksByType['reflex-compile'].sent, 1);
  const statusB = await nodeB.request<Status>({ op: 'status' });
  assert.equal(statusB.reflexBuilds.builtForPeers, 1);
  assert.equal(statusB.tasksByType['reflex-compile'].executedForPeers, 1);
  assert.equal(statusB.tasksByType['tool-call'].executedForPeers, 0);
  const metrics = new GatewayMetrics(kernel, () => 0, mesh);
  t.after(() => metrics.close());
  const scraped = (await metrics.scrape()).body;
  assert.match(scraped, /^titan_mesh_tasks_by_type_total\{type="reflex-compile",event="sent"\} 1$/m);
  assert.match(scraped, /^titan_mesh_reflex_builds_total\{event="built_by_peer"\} 1$/m);
  assert.match(scraped, /^titan_mesh_reflex_builds_total\{event="built_here"\} 0$/m);

  const published = (await kernel.registry.list()).find((m) => m.kind === 'reflex' && m.name === NAME);
  assert.equal(published?.digest, compiled.manifest.digest);
  assert.equal(await reflexAnswers(kernel, compiled.manifest, 'greet grace'), 'Hello, Grace!');

  // A builds for B too, but not over 1 MiB of source, and only reflex folders.
  const manifest = JSON.stringify(reflexManifest(greet('reflex-greet-big'), '1.0.0', 2000));
  const task = (id: string, files: { manifest: string; source: string }): TaskMessage => ({
    t: 'task',
    id,
    type: 'reflex-compile',
    assignee: a.id,
    component: { kind: 'reflex', name: 'reflex-greet-big', version: '1.0.0', range: '1.0.0', digest: '' },
    fn: 'build',
    args: [files],
  });
  const answers = await nodeB.request<Array<{ id: string; ok: boolean; error: { code: string } }>>({
    op: 'raw',
    peer: a.id,
    streams: 1,
    tasks: [
      task('too-big', { manifest, source: 'x'.repeat(1024 * 1024) }),
      task('not-a-reflex', {
        manifest: JSON.stringify({ ...JSON.parse(manifest), kind: 'tool', world: 'titan:tool/tool-component@0.2.0', source: 'tool.js' }),
        source: '',
      }),
    ],
  });
  const codes = Object.fromEntries(answers.map((r) => [r.id, r.ok ? 'ok' : r.error.code]));
  assert.deepEqual(codes, { 'too-big': 'TITAN_E_MESH_TASK_TOO_LARGE', 'not-a-reflex': 'TITAN_E_MESH_TASK_INVALID' });
  assert.equal(mesh.status().reflexBuilds.refused, 2);
  assert.equal(mesh.status().reflexBuilds.builtForPeers, 0);
});

for (const mode of ['garbage', 'overreach'] as const) {
  test(`a peer answering ${mode === 'garbage' ? 'bytes that are no component' : 'a component importing more than its manifest grants'} is rejected with a coded error and the reflex is built here`, async (t) => {
    const a = await prepare();
    const peer = await badPeer(t, a, mode);
    const { kernel, mesh } = await nodeA(t, a, [{ id: peer.id } as Prepared]);
    await until('A hears the peer advertise reflex builds', () => buildsReflexes(mesh, peer.id));

    const compiled = await compileReflex(kernel, greet(NAME), '1.0.0', { timeoutMs: 2000, offload: mesh.reflexBuilds });
    const status = mesh.status();
    assert.equal(status.reflexBuilds.offered, 1);
    assert.equal(status.reflexBuilds.rejected, 1);
    assert.equal(status.reflexBuilds.builtHere, 1);
    assert.equal(status.reflexBuilds.builtByPeers, 0);
    assert.equal(status.reflexBuilds.lastRejection?.code, 'TITAN_E_MESH_BUILD_REJECTED');
    assert.equal(status.reflexBuilds.lastRejection?.peer, peer.id);
    assert.match(
      status.reflexBuilds.lastRejection?.message ?? '',
      mode === 'garbage' ? /TITAN_E_INVALID_COMPONENT/ : /TITAN_E_UNDECLARED_IMPORT: .*titan:host\/tools/,
    );
    assert.equal((await peer.status()).reflexBuilds.builtForPeers, 1);

    // Only the reflex built here is in the registry: it imports nothing beyond its grant.
    const published = (await kernel.registry.list()).filter((m) => m.name === NAME);
    assert.deepEqual(
      published.map((m) => m.digest),
      [compiled.manifest.digest],
    );
    assert.ok(!compiled.manifest.imports.some((i) => i.startsWith('titan:host/tools')), `imports: ${compiled.manifest.imports.join(', ')}`);
    assert.equal(await reflexAnswers(kernel, compiled.manifest, 'greet linus'), 'Hello, Linus!');
  });
}

test('with no peer to build it, the reflex builds on the node that compiles it', async (t) => {
  const a = await prepare();
  const { kernel, mesh } = await nodeA(t, a, []);
  const compiled = await compileReflex(kernel, greet(NAME), '1.0.0', { timeoutMs: 2000, offload: mesh.reflexBuilds });
  assert.deepEqual({ offered: mesh.status().reflexBuilds.offered, builtHere: mesh.status().reflexBuilds.builtHere }, { offered: 0, builtHere: 1 });
  assert.equal(await reflexAnswers(kernel, compiled.manifest, 'greet ada'), 'Hello, Ada!');
});
