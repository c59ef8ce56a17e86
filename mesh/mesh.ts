// A Titan node's place in the mesh: the libp2p node, membership and the task protocol both ways,
// wired to the parts that place tasks (dispatcher.ts), keep peers connected (connections.ts) and
// serve each kind of work (reflex builds, embedding batches, sub-agents, job runs). Started by
// `titan start` when mesh.enabled is set; stopped with the kernel.
import { peerIdFromString } from '@libp2p/peer-id';
import { checkBinary, type Kernel, type KernelPorts } from '../kernel/api.ts';
import { meshSection, type MeshConfig } from './config.ts';
import type { AgentPorts } from '../agent/api.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import { Allowlist, checkPeerId } from './allowlist.ts';
import { Connections } from './connections.ts';
import { Dispatcher, type TaskRequest } from './dispatcher.ts';
import { PeerRefusals } from './refusals.ts';
import { cancelCall } from '../host-api/exec.ts';
import { pullComponent, serveBlob, type PullResult } from './component-pull.ts';
import { LocalExecutor } from './executor.ts';
import { loadOrCreateIdentity } from './identity.ts';
import { Membership, type Member } from './membership.ts';
import { BLOB_PROTOCOL, TASK_PROTOCOL, type BuildKind, type EmbeddingsAd, type IndexingAd } from './messages.ts';
import { createMeshNode, type MeshNode } from './node.ts';
import { ReflexBuilds } from './reflex-builds.ts';
import { EmbeddingBatches } from './embedding-batches.ts';
import { SubAgents } from './sub-agents.ts';
import { JobRuns } from './job-runs.ts';
import { IndexBuilds } from './index-builds.ts';
import { RoundTrips } from './round-trips.ts';
import type { Outcome } from './scheduler.ts';
import { TaskClient } from './task-client.ts';
import { TaskServer } from './task-server.ts';

/** The mesh's section of the configuration; `enabled` is `titan start`'s to read. */
export type MeshSettings = Omit<MeshConfig, 'enabled'>;

export type { TaskRequest } from './dispatcher.ts';

export type PeerInfo = {
  id: string;
  connected: boolean;
  load: number;
  freeSlots: number;
  slots: number;
  lastSeenMs: number;
  addrs: string[];
  components: Member['components'];
  builds: BuildKind[];
  embeddings?: EmbeddingsAd;
  subAgents: boolean;
  /** Runs routines' sandbox jobs for peers. */
  jobs: boolean;
  /** Indexes peers' workspace files with this embedder, and parses their code. */
  indexing?: IndexingAd;
};

const DEDUP = { maxEntries: 100_000, ttlMs: 10 * 60 * 1000 };

export class Mesh {
  readonly id: string;
  readonly node: MeshNode;
  readonly allowlist: Allowlist;
  readonly roundTrips = new RoundTrips();
  readonly counters = { pulls: 0 };
  /** Reflex builds offered to peers and built for them (the agent's reflexBuilds port). */
  readonly reflexBuilds: ReflexBuilds;
  /** Embedding batches sent to peers with provider embeddings and embedded for peers (reflexes.embeddings "mesh"/"provider"). */
  readonly embeddingBatches: EmbeddingBatches;
  /** A swarm's sub-agents sent to peers and run for them (the agent's subAgents port). */
  readonly subAgents: SubAgents;
  /** Routines' jobs sent to peers with Docker and run for peers without (the routines' jobs port). */
  readonly jobRuns: JobRuns;
  /** Memory index batches sent to peers with the same embedder and indexed for them (the agent's indexBuilds port). */
  readonly indexBuilds: IndexBuilds;
  readonly #kernel: Kernel;
  readonly #settings: MeshSettings;
  readonly #membership: Membership;
  readonly #server: TaskServer;
  readonly #client: TaskClient;
  readonly #executor: LocalExecutor;
  readonly #tasks: Dispatcher;
  readonly #connections: Connections;
  readonly #stop = new AbortController();
  #unplug: () => void = () => {};
  /** Peers refused here and peers that refused this node, with why. */
  readonly refusals: PeerRefusals;

  private constructor(kernel: Kernel, settings: MeshSettings, node: MeshNode, allowlist: Allowlist) {
    this.#kernel = kernel;
    this.#settings = settings;
    this.node = node;
    this.allowlist = allowlist;
    this.id = node.peerId.toString();
    this.refusals = new PeerRefusals(kernel.logger);
    allowlist.onRefused = (peer, reason) => this.refusals.record(peer, 'here', reason);
    this.#executor = new LocalExecutor(kernel, (peer, digest) => this.pull(peer, digest));
    // A peer's task runs under the executor, which pulls a component it lacks from that peer.
    this.#server = new TaskServer(
      this.id,
      settings.slots,
      (task, from, onProgress, control) => {
        this.#tasks.byType[task.type].executedForPeers++;
        if (task.type === 'reflex-compile') return this.reflexBuilds.serve(task);
        if (task.type === 'embedding-batch') return this.embeddingBatches.serve(task);
        if (task.type === 'sub-agent') return this.subAgents.serve(task);
        if (task.type === 'job-run') return this.jobRuns.serve(task, from);
        if (task.type === 'index-build') return this.indexBuilds.serve(task);
        return this.#executor.run(task.component, task.fn, task.args, {
          from,
          callId: `mesh:${task.id}`,
          onProgress,
          limitMs: control.limitMs,
          signal: control.stop,
        });
      },
      DEDUP,
      (id) => {
        cancelCall(`mesh:${id}`, 'the sending node cancelled the task');
        this.subAgents.cancel(id);
      },
      settings.taskTimeoutMs,
    );
    this.#client = new TaskClient(node, {
      timeoutMs: settings.taskTimeoutMs,
      maxWaiters: settings.maxWaiters,
      onRoundTrip: (ms) => this.roundTrips.record(ms),
      // It could not confirm a cancel even past its own watchdog: counted gone until it is heard again.
      onPeerDead: (peer, reason) => this.#membership.declareDead(peer, reason),
    });
    this.reflexBuilds = new ReflexBuilds({ self: this.id, kernel, client: this.#client, members: () => this.#membership.members() });
    this.embeddingBatches = new EmbeddingBatches({ self: this.id, kernel, client: this.#client, members: () => this.#membership.members() });
    this.subAgents = new SubAgents({ self: this.id, client: this.#client, members: () => this.#membership.members(), localSlots: settings.slots });
    this.jobRuns = new JobRuns({ self: this.id, client: this.#client, members: () => this.#membership.members() });
    this.indexBuilds = new IndexBuilds({ self: this.id, client: this.#client, members: () => this.#membership.members() });
    this.#tasks = new Dispatcher({
      self: this.id,
      kernel,
      slots: settings.slots,
      client: this.#client,
      executor: this.#executor,
      membership: () => this.#membership,
    });
    this.#connections = new Connections({
      self: this.id,
      node,
      allowlist,
      refusals: this.refusals,
      membership: () => this.#membership,
      bootstrap: settings.bootstrap,
      privateNetwork: settings.pskFile !== '',
    });
    this.#membership = new Membership(node, settings.heartbeatMs, () => this.#heartbeat(), {
      joined: (peer) => {
        kernel.logger.info({ peer }, 'mesh: peer joined');
        void this.#connections.connect(peer, this.#stop.signal);
        this.#tasks.dispatch();
      },
      gone: (peer, why) => {
        kernel.logger.info({ peer, why }, 'mesh: peer gone');
        this.#client.peerGone(peer, why);
      },
    });
  }

  /** `overrides`: the mesh's section (`titan start` passes the loaded one); what it leaves out, the defaults. */
  static async start(kernel: Kernel, overrides: Partial<MeshSettings> = {}): Promise<Mesh> {
    const settings: MeshSettings = { ...meshSection.defaults, ...overrides };
    const allowlist = await Allowlist.open(kernel.paths.home, settings.allowlist, settings.pskFile !== '');
    const node = await createMeshNode({
      privateKey: await loadOrCreateIdentity(kernel.paths.home),
      listen: settings.listen,
      allowlist,
      pskFile: settings.pskFile,
      mdns: settings.mdns,
    });
    const mesh = new Mesh(kernel, settings, node, allowlist);
    try {
      await mesh.#start();
    } catch (error) {
      mesh.#unplug();
      await node.stop();
      throw error;
    }
    return mesh;
  }

  async #start(): Promise<void> {
    // The kernel's ports (kernel/ports.ts): its tool calls go through the scheduler, its
    // components see the swarm. Plugged into the kernel this mesh serves; unplugged by stop().
    this.#unplug = this.#kernel.plug(this.kernelPorts());
    await this.node.handle(
      TASK_PROTOCOL,
      (stream, connection) => {
        const from = connection.remotePeer.toString();
        void this.#server.serve(stream, from);
      },
      { maxInboundStreams: 64 },
    );
    await this.node.handle(BLOB_PROTOCOL, (stream) => void serveBlob(this.#kernel.registry, stream));
    this.#connections.dialDiscovered();
    await this.node.start();
    await this.#executor.learn(); // the first heartbeat already lists what this node runs for peers
    this.#membership.start();
    this.#kernel.supervisor.run('mesh', async (kernelStopping) => {
      await this.#connections.keep(AbortSignal.any([kernelStopping, this.#stop.signal]));
      await this.stop();
    });
  }

  /** What the mesh offers the kernel: tool calls placed by the scheduler, the swarm for titan:host/mesh. */
  kernelPorts(): KernelPorts {
    return {
      toolCalls: (call, local) => this.#tasks.routeToolCall(call, local),
      mesh: {
        peers: () => this.peers().map((p) => ({ id: p.id, load: p.load, freeSlots: p.freeSlots })),
        submit: async (_caller, name, range, input) => String((await this.submit({ name, range, args: [input] }).result).value),
      },
    };
  }

  /** What the mesh offers the agent (agent/ports.ts): reflex builds and embedding batches on peers. */
  get agentPorts(): AgentPorts {
    return { reflexBuilds: this.reflexBuilds, embeddingBatches: this.embeddingBatches, subAgents: this.subAgents, indexBuilds: this.indexBuilds };
  }

  /** Runs a task somewhere in the mesh; resolves with its value, the node that ran it and whether it fell back. */
  submit(request: TaskRequest): { id: string; result: Promise<Outcome>; cancel(): void } {
    return this.#tasks.submit(request);
  }

  /** Connects to a peer by multiaddr (with /p2p/<id>); refused unless both sides admit each other. */
  dial(address: string, timeoutMs?: number): Promise<string> {
    return this.#connections.dial(address, timeoutMs);
  }

  /** Fetches a component blob by digest from a peer, verifies it and publishes it here. */
  async pull(peer: string, digest: string): Promise<PullResult> {
    // Held to its binary, linked and smoke-tested in a worker before it enters the registry, as an import is.
    const check = (manifest: PublishedManifest, wasm: Uint8Array) => checkBinary(this.#kernel, manifest, wasm, { smoke: true });
    const result = await pullComponent(this.node, this.#kernel.registry, checkPeerId(peer), digest, check);
    if (result.imported) {
      this.counters.pulls++;
      this.#kernel.logger.info(
        { peer, component: `${result.manifest.kind}/${result.manifest.name}@${result.manifest.version}`, bytes: result.bytes },
        'mesh: component pulled and verified',
      );
    }
    return result;
  }

  // ---- membership and state --------------------------------------------------------------

  #heartbeat() {
    const slots = this.#settings.slots;
    const busy = this.#server.running + this.#server.queued + this.#tasks.localRunning;
    const freeSlots = Math.max(0, slots - busy);
    return {
      slots,
      freeSlots,
      load: slots > 0 ? busy / slots : 1,
      busyBy: this.#server.busyBy(),
      components: this.#executor.advertised(),
      builds: this.reflexBuilds.capable && freeSlots > 0 ? ['reflex' as const] : [],
      embeddings: freeSlots > 0 ? this.embeddingBatches.advertised() : undefined,
      subAgents: this.subAgents.serving && freeSlots > 0,
      jobs: this.jobRuns.serving && freeSlots > 0,
      indexing: freeSlots > 0 ? this.indexBuilds.advertised() : undefined,
    };
  }

  peers(): PeerInfo[] {
    const now = Date.now();
    return this.#membership.members().map((m) => ({
      id: m.id,
      connected: this.node.getConnections(peerIdFromString(m.id)).length > 0,
      load: Number(m.load.toFixed(3)),
      freeSlots: m.freeSlots,
      slots: m.slots,
      lastSeenMs: now - m.lastSeen,
      addrs: m.addrs,
      components: m.components,
      builds: m.builds ?? [],
      embeddings: m.embeddings,
      subAgents: m.subAgents === true,
      jobs: m.jobs === true,
      indexing: m.indexing,
    }));
  }

  status() {
    return {
      id: this.id,
      addrs: this.node.getMultiaddrs().map(String),
      peers: this.#membership.members().length,
      connections: this.node.getConnections().length,
      slots: this.#settings.slots,
      running: { local: this.#tasks.localRunning, forPeers: this.#server.running },
      queued: this.#tasks.queued,
      waiting: this.#client.waiting,
      tasks: {
        sent: this.#client.stats.sent,
        received: this.#server.stats.received,
        executedForPeers: this.#server.stats.executed,
        ...this.#tasks.counters,
        ...this.counters,
        duplicatesSuppressed: this.#server.stats.duplicatesSuppressed,
        refused: this.#server.stats.refused,
        timedOut: this.#client.stats.timedOut,
        peerLost: this.#client.stats.peerLost,
        lateResults: this.#client.stats.lateResults,
        cancelled: this.#server.stats.cancelled,
        timeoutsCancelledThere: this.#client.stats.cancelConfirmed,
        timeoutsNotConfirmed: this.#client.stats.cancelUnconfirmed,
        stoppedAtLimitHere: this.#server.stats.stoppedAtLimit,
        peersDeclaredDead: this.#client.stats.declaredDead,
        lastDeclaredDead: this.#client.stats.lastDeclaredDead,
      },
      tasksByType: {
        ...this.#tasks.byType,
        'reflex-compile': { ...this.#tasks.byType['reflex-compile'], sent: this.reflexBuilds.counters.offered },
        'embedding-batch': { ...this.#tasks.byType['embedding-batch'], sent: this.embeddingBatches.counters.offered },
        'sub-agent': { ...this.#tasks.byType['sub-agent'], sent: this.subAgents.counters.sent },
        'index-build': { ...this.#tasks.byType['index-build'], sent: this.indexBuilds.counters.sent },
      },
      embeddingBatches: {
        ...this.embeddingBatches.counters,
        serving: this.embeddingBatches.advertised(),
        dimensions: this.embeddingBatches.dimensions,
        lastRejection: this.embeddingBatches.lastRejection,
      },
      indexBuilds: { ...this.indexBuilds.counters, serving: this.indexBuilds.advertised() },
      reflexBuilds: { ...this.reflexBuilds.counters, toolchain: this.reflexBuilds.capable, lastRejection: this.reflexBuilds.lastRejection },
      roundTrip: this.roundTrips.summary(),
      allowlist: this.allowlist.peers(),
      refusals: this.refusals.summary(),
      privateNetwork: this.#settings.pskFile !== '',
      mdns: this.#settings.mdns,
      heartbeatMs: this.#settings.heartbeatMs,
      taskTimeoutMs: this.#settings.taskTimeoutMs,
    };
  }

  async allow(peer: string): Promise<string[]> {
    return this.allowlist.allow(peer);
  }

  /** Removes a peer from the allowlist and closes its connections at once. */
  async deny(peer: string): Promise<{ peers: string[]; stillInConfig: boolean }> {
    const result = await this.allowlist.deny(peer);
    if (!this.allowlist.allows(peer)) await this.node.hangUp(peerIdFromString(peer)).catch(() => {});
    return result;
  }

  async stop(): Promise<void> {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    this.#unplug();
    this.#membership.stop();
    this.#client.close();
    this.#server.close();
    this.#tasks.drain();
    await this.node.stop();
    await this.#executor.close();
  }
}
