// A Titan node's place in the mesh: the libp2p node, membership, the task protocol both ways,
// the scheduler's queue, component pulls, and the hook that lets the kernel's tool calls run on
// peers. Started by `titan start` when mesh.enabled is set; stopped with the kernel.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import { TitanError } from '../common/errors.ts';
import { checkBinary, type Kernel, type KernelPorts, type RoutedCall } from '../kernel/api.ts';
import { meshSection, type MeshConfig } from './config.ts';
import type { AgentPorts } from '../agent/api.ts';
import type { ComponentKind, PublishedManifest } from '../registry/manifest.ts';
import { Allowlist, checkPeerId } from './allowlist.ts';
import { PeerRefusals, refusalReason } from './refusals.ts';
import { cancelCall } from '../host-api/exec.ts';
import { pullComponent, serveBlob, type PullResult } from './component-pull.ts';
import { isOffloadable } from './offload-policy.ts';
import { LocalExecutor, type Need } from './executor.ts';
import { loadOrCreateIdentity } from './identity.ts';
import { Membership, type Member } from './membership.ts';
import { BLOB_PROTOCOL, TASK_PROTOCOL, TASK_TYPES, type BuildKind, type EmbeddingsAd, type TaskMessage, type TaskType } from './messages.ts';
import { createMeshNode, type MeshNode } from './node.ts';
import { ReflexBuilds } from './reflex-builds.ts';
import { EmbeddingBatches } from './embedding-batches.ts';
import { SubAgents } from './sub-agents.ts';
import { JobRuns } from './job-runs.ts';
import { RoundTrips } from './round-trips.ts';
import { place, type Job, type Outcome, type SchedulerView } from './scheduler.ts';
import { TaskClient, Lost } from './task-client.ts';
import { TaskServer } from './task-server.ts';

/** The mesh's section of the configuration; `enabled` is `titan start`'s to read. */
export type MeshSettings = Omit<MeshConfig, 'enabled'>;

export type TaskRequest = {
  type?: TaskType;
  kind?: ComponentKind;
  name: string;
  /** Accepted versions (semver range); default any. */
  range?: string;
  fn?: string;
  args: unknown[];
  /** Run on this peer and no other (falls back to this node if it does not answer in time). */
  assignee?: string;
  /** A caller-chosen id: submitting the same id again to the same peer never runs it twice. */
  id?: string;
  onProgress?: (kind: string, data: string) => void;
};

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
};

const DEDUP = { maxEntries: 100_000, ttlMs: 10 * 60 * 1000 };
const REDIAL_MS = 2000;

export class Mesh {
  readonly id: string;
  readonly node: MeshNode;
  readonly allowlist: Allowlist;
  readonly roundTrips = new RoundTrips();
  readonly counters = { offloaded: 0, localRuns: 0, fallbacks: 0, redispatched: 0, pulls: 0 };
  /** Reflex builds offered to peers and built for them (the agent's reflexBuilds port). */
  readonly reflexBuilds: ReflexBuilds;
  /** Embedding batches sent to peers with provider embeddings and embedded for peers (reflexes.embeddings "mesh"/"provider"). */
  readonly embeddingBatches: EmbeddingBatches;
  /** A swarm's sub-agents sent to peers and run for them (the agent's subAgents port). */
  readonly subAgents: SubAgents;
  /** Routines' jobs sent to peers with Docker and run for peers without (the routines' jobs port). */
  readonly jobRuns: JobRuns;
  readonly #byType = Object.fromEntries(TASK_TYPES.map((type) => [type, { sent: 0, executedForPeers: 0 }])) as Record<
    TaskType,
    { sent: number; executedForPeers: number }
  >;
  readonly #kernel: Kernel;
  readonly #settings: MeshSettings;
  readonly #membership: Membership;
  readonly #server: TaskServer;
  readonly #client: TaskClient;
  readonly #executor: LocalExecutor;
  readonly #queue: Job[] = [];
  readonly #stop = new AbortController();
  #localRunning = 0;
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
        this.#byType[task.type].executedForPeers++;
        if (task.type === 'reflex-compile') return this.reflexBuilds.serve(task);
        if (task.type === 'embedding-batch') return this.embeddingBatches.serve(task);
        if (task.type === 'sub-agent') return this.subAgents.serve(task);
        if (task.type === 'job-run') return this.jobRuns.serve(task, from);
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
    this.#membership = new Membership(node, settings.heartbeatMs, () => this.#heartbeat(), {
      joined: (peer) => {
        kernel.logger.info({ peer }, 'mesh: peer joined');
        void this.#connect(peer);
        this.#dispatch();
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
    // A peer found by mDNS is dialled when the allowlist admits it (libp2p does not dial by itself).
    this.node.addEventListener('peer:discovery', (event) => {
      const { id, multiaddrs } = event.detail;
      if (!this.allowlist.allows(id.toString()) || this.node.getConnections(id).length > 0) return;
      void this.node
        .dial(multiaddrs.length ? multiaddrs : id, { signal: AbortSignal.timeout(REDIAL_MS) })
        .catch((error: unknown) => this.#dialFailed(id.toString(), error));
    });
    await this.node.start();
    await this.#executor.learn(); // the first heartbeat already lists what this node runs for peers
    this.#membership.start();
    this.#kernel.supervisor.run('mesh', (signal) => this.#keepBootstrapped(signal));
  }

  /** What the mesh offers the kernel: tool calls placed by the scheduler, the swarm for titan:host/mesh. */
  kernelPorts(): KernelPorts {
    return {
      toolCalls: (call, local) => this.#routeToolCall(call, local),
      mesh: {
        peers: () => this.peers().map((p) => ({ id: p.id, load: p.load, freeSlots: p.freeSlots })),
        submit: async (_caller, name, range, input) => String((await this.submit({ name, range, args: [input] }).result).value),
      },
    };
  }

  /** What the mesh offers the agent (agent/ports.ts): reflex builds and embedding batches on peers. */
  get agentPorts(): AgentPorts {
    return { reflexBuilds: this.reflexBuilds, embeddingBatches: this.embeddingBatches, subAgents: this.subAgents };
  }

  // ---- where work runs -------------------------------------------------------------------

  /** Runs a task somewhere in the mesh; resolves with its value, the node that ran it and whether it fell back. */
  submit(request: TaskRequest): { id: string; result: Promise<Outcome>; cancel(): void } {
    const id = request.id ?? randomUUID();
    const kind = request.kind ?? 'tool';
    const need: Need = { kind, name: request.name, range: request.range ?? '*' };
    let cancel = () => {};
    const result = new Promise<Outcome>((resolve, reject) => {
      const job: Job = {
        id,
        type: request.type ?? 'tool-call',
        need,
        fn: request.fn ?? 'invoke',
        args: request.args,
        exclude: new Set(),
        onProgress: request.onProgress,
        resolve,
        reject,
      };
      cancel = () => this.#cancel(job);
      if (request.assignee && checkPeerId(request.assignee) === this.id) {
        job.localOnly = true;
        this.#runHere(job, false);
        return;
      }
      if (request.assignee) {
        const assignee = checkPeerId(request.assignee);
        const member = this.#membership.get(assignee);
        const ad = member?.components.find((c) => c.kind === kind && c.name === request.name);
        // A named peer runs the version it advertises, or - advertising none - ours, which it pulls from us.
        const pin = ad ?? this.#executor.serving(need);
        job.localOnly = true; // named: should that peer be lost, no other peer takes it, only this node
        this.#send(job, assignee, pin?.version ?? '0.0.0', pin?.digest ?? '');
        return;
      }
      this.#enqueue(job);
    });
    return { id, result, cancel: () => cancel() };
  }

  async #routeToolCall(call: RoutedCall, local: () => Promise<unknown>): Promise<unknown> {
    // Only a pure tool's work leaves this node; describe and smoke are never worth a hop.
    if (call.manifest && (call.fn !== 'invoke' || !isOffloadable(call.manifest))) return local();
    const need: Need = {
      kind: call.kind,
      name: call.name,
      range: call.manifest ? `^${call.manifest.version}` : '*',
      digest: call.manifest?.digest,
      version: call.manifest?.version,
    };
    const outcome = await new Promise<Outcome>((resolve, reject) => {
      const onProgress = call.options?.callId
        ? (kind: string, data: string) =>
            this.#kernel.services.emit(
              { kind: call.kind, name: call.name, version: call.manifest?.version ?? '', digest: call.manifest?.digest ?? '' },
              call.options?.callId,
              kind,
              data,
            )
        : undefined;
      this.#enqueue({
        id: randomUUID(),
        type: 'tool-call',
        need,
        fn: call.fn,
        args: call.args,
        exclude: new Set(),
        local: call.manifest ? local : undefined,
        onProgress,
        resolve,
        reject,
      });
    });
    return outcome.value;
  }

  #view(): SchedulerView {
    return {
      self: this.id,
      localSlots: this.#settings.slots,
      localRunning: () => this.#localRunning,
      localCan: (job) => job.local !== undefined || this.#executor.serving(job.need) !== undefined,
      members: () => this.#membership.members(),
      inFlight: (peer) => this.#client.inFlight(peer),
      sentTo: (peer) => this.#client.sentTo(peer),
    };
  }

  #enqueue(job: Job): void {
    this.#queue.push(job);
    this.#dispatch();
  }

  #dispatch(): void {
    if (this.#queue.length === 0) return;
    const view = this.#view();
    while (this.#queue.length > 0) {
      const job = this.#queue[0];
      const where = place(view, job);
      if (where === 'wait') return;
      this.#queue.shift();
      if (where instanceof TitanError) job.reject(where);
      else if (where.where === 'local') this.#runHere(job, false);
      else this.#send(job, where.peer, where.version, where.digest);
    }
  }

  #runHere(job: Job, fallback: boolean, from?: string): void {
    this.#localRunning++;
    if (fallback) this.counters.fallbacks++;
    else this.counters.localRuns++;
    const run = job.local ?? (() => this.#executor.run(job.need, job.fn, job.args, { from, callId: `mesh:${job.id}`, onProgress: job.onProgress }));
    // Started from the event loop, not the microtask queue: an inline guest call runs synchronously,
    // and a chain of local runs would otherwise keep peers' results (I/O) waiting until all are done.
    new Promise<unknown>((resolve) => setImmediate(() => resolve(run())))
      .then(
        (value) => job.resolve({ value, node: this.id, fallback }),
        (error: Error) => job.reject(error),
      )
      .finally(() => {
        this.#localRunning--;
        this.#dispatch();
      });
  }

  #send(job: Job, peer: string, version: string, digest: string): void {
    // Pinned to the binary sent: a fallback here runs the same one, pulled from the peer if need be.
    if (digest) job.need = { ...job.need, version, digest };
    const task: TaskMessage = {
      t: 'task',
      id: job.id,
      type: job.type,
      assignee: peer,
      component: { kind: job.need.kind, name: job.need.name, range: job.need.range, version, digest },
      fn: job.fn,
      args: job.args,
    };
    this.counters.offloaded++;
    this.#byType[job.type].sent++;
    job.at = peer;
    this.#client
      .run(task, job.onProgress)
      .then(
        (value) => job.resolve({ value, node: peer, fallback: false }),
        (error: Error) => {
          if (!(error instanceof Lost)) return job.reject(error);
          if (error.reason === 'peer-lost' || error.reason === 'send-failed') {
            // The peer died holding it: run it once more elsewhere (it never answered, so no result was used).
            job.exclude.add(peer);
            this.counters.redispatched++;
            this.#queue.unshift(job);
            return;
          }
          this.#runHere(job, true, peer); // timed out or too many waiters: this node runs it now
        },
      )
      .finally(() => this.#dispatch());
  }

  #cancel(job: Job): void {
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      job.reject(new TitanError('TITAN_E_MESH_CANCELLED', `task ${job.id} was cancelled before it started`));
      return;
    }
    if (job.at) void this.#client.cancel(job.id, job.at);
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
    const busy = this.#server.running + this.#server.queued + this.#localRunning;
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
    };
  }

  async #keepBootstrapped(kernelStopping: AbortSignal): Promise<void> {
    const signal = AbortSignal.any([kernelStopping, this.#stop.signal]);
    while (!signal.aborted) {
      for (const address of this.#settings.bootstrap) {
        const peer = multiaddr(address)
          .getComponents()
          .findLast((c) => c.name === 'p2p')?.value;
        if (!peer || peer === this.id || this.node.getConnections(peerIdFromString(peer)).length > 0) continue;
        await this.node.dial(multiaddr(address), { signal: AbortSignal.any([signal, AbortSignal.timeout(REDIAL_MS)]) }).catch((error: unknown) => {
          if (!signal.aborted) this.#dialFailed(peer, error);
        });
      }
      for (const member of this.#membership.members()) await this.#connect(member.id, signal);
      await sleep(REDIAL_MS, undefined, { signal }).catch(() => {});
    }
    await this.stop();
  }

  /** Peers heard of through gossip but not connected directly are dialled for the task protocol. */
  async #connect(peer: string, signal: AbortSignal = this.#stop.signal): Promise<void> {
    const member = this.#membership.get(peer);
    if (!member || this.node.getConnections(peerIdFromString(peer)).length > 0 || !this.allowlist.allows(peer)) return;
    await this.node
      .dial(
        member.addrs.map((a) => multiaddr(a)),
        { signal: AbortSignal.any([signal, AbortSignal.timeout(REDIAL_MS)]) },
      )
      .catch((error: unknown) => {
        if (!signal.aborted) this.#dialFailed(peer, error);
      });
  }

  /** A dial that failed: a refusal by the peer is logged and counted with its likely reason. */
  #dialFailed(peer: string, error: unknown): string | undefined {
    const reason = refusalReason(error, this.#settings.pskFile !== '');
    if (reason && this.allowlist.allows(peer)) this.refusals.record(peer, 'by-peer', reason);
    return reason;
  }

  /** Connects to a peer by multiaddr (with /p2p/<id>); refused unless both sides admit each other. */
  async dial(address: string, timeoutMs = 10_000): Promise<string> {
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      const connection = await this.node.dial(multiaddr(address), { signal });
      // A peer that does not admit us drops the connection right after the handshake: only a
      // protocol stream that opens proves we are in.
      const stream = await connection.newStream(TASK_PROTOCOL, { signal });
      await stream.close();
      return connection.remotePeer.toString();
    } catch (error) {
      let peer = address;
      try {
        peer =
          multiaddr(address)
            .getComponents()
            .findLast((c) => c.name === 'p2p')?.value ?? address;
      } catch {
        // not a multiaddr: the error says so
      }
      const refused = this.#dialFailed(peer, error);
      throw new TitanError('TITAN_E_MESH_UNREACHABLE', `cannot connect to ${address}: ${refused ?? (error as Error).message}`);
    }
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
    }));
  }

  status() {
    return {
      id: this.id,
      addrs: this.node.getMultiaddrs().map(String),
      peers: this.#membership.members().length,
      connections: this.node.getConnections().length,
      slots: this.#settings.slots,
      running: { local: this.#localRunning, forPeers: this.#server.running },
      queued: this.#queue.length,
      waiting: this.#client.waiting,
      tasks: {
        sent: this.#client.stats.sent,
        received: this.#server.stats.received,
        executedForPeers: this.#server.stats.executed,
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
        ...this.#byType,
        'reflex-compile': { ...this.#byType['reflex-compile'], sent: this.reflexBuilds.counters.offered },
        'embedding-batch': { ...this.#byType['embedding-batch'], sent: this.embeddingBatches.counters.offered },
        'sub-agent': { ...this.#byType['sub-agent'], sent: this.subAgents.counters.sent },
      },
      embeddingBatches: {
        ...this.embeddingBatches.counters,
        serving: this.embeddingBatches.advertised(),
        dimensions: this.embeddingBatches.dimensions,
        lastRejection: this.embeddingBatches.lastRejection,
      },
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
    for (const job of this.#queue.splice(0)) {
      if (job.local) this.#runHere(job, true);
      else job.reject(new TitanError('TITAN_E_SHUTTING_DOWN', 'the mesh is stopping'));
    }
    await this.node.stop();
    await this.#executor.close();
  }
}
