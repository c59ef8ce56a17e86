// Components with isolation "worker" run in a pool of worker threads (isolation-pool.ts). A call
// past its time limit is stopped: its thread is terminated and another starts, and the rest of the
// kernel never notices. Host services reach the workers over one BroadcastChannel.
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { TitanError, type ErrorCode } from '../common/errors.ts';
import type { ComponentIdentity, HostServices } from '../host-api/index.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import { describeComponent, type CallOptions, type Deployment } from './deployment.ts';
import { guestResultError, trapError } from './guest-errors.ts';
import type { WorkerComponent } from './loader.ts';
import type { PoolStats } from './pool.ts';
import type { ChatterCells, ChatterLimiter, ChatterRates } from './chatter.ts';
import { IsolationPool, type CallHandle } from './isolation-pool.ts';
import { compiles, type CompileNotice } from './compile-cores.ts';
import { ModuleHandover } from './module-handover.ts';
import { TaskClock } from './task-clock.ts';
import { wallMs, workerCalls, type WorkerCallTiming } from './worker-timings.ts';
import { camel } from './wit-names.ts';
import { WorkerGrants, serveCodeGraph, serveMemory } from './worker-memory.ts';
import { LIST_EXPORTS, type CallMessage, type DeploymentBase, type HostReply, type HostRequest, type WorkerOutcome } from './worker-protocol.ts';

/** How long a worker may take to start, compile and instantiate before the call counts as hung. */
const COLD_START_LIMIT_MS = 30000;

type WorkerLink = {
  broadcast(reply: HostReply): void;
  /** Registers what to do when the worker reports the guest call began; returns the unregister. */
  /** Registers a call's clock, so a nested tool call it makes can pause it; returns the unregister. */
  register(taskId: string, clock: TaskClock): () => void;
  /** Resolves when the call's 'finished' marker arrived (all it logged and emitted was delivered). */
  finished(taskId: string): Promise<void>;
  chatter: ChatterRates;
  /** The kernel's shared token buckets of a component. */
  chatterCells(component: ComponentIdentity): ChatterCells;
  services: HostServices;
  /** The imports and grants of each deployment, which the kernel holds a worker's memory and code-graph calls to. */
  grants: WorkerGrants;
  /** A call's thread was terminated (time limit) or died. */
  threadLost(): void;
  closed(): void;
};

/** A thread with no call to run exits after this long (a kernel without worker calls holds none). */
const IDLE_THREAD_MS = 30000;

/** A call's log lines travel beside its result: the answer waits for them at most this long. */
const FINISH_WAIT_MS = 2000;

export class WorkerHost {
  readonly #services: HostServices;
  readonly #threads: number;
  readonly #channelName = `titan-host-${process.pid}-${randomUUID()}`;
  #pool: IsolationPool | undefined;
  #channel: BroadcastChannel | undefined;
  /** Calls waiting for their guest code to start, by task id. */
  /** The clocks of calls in flight, by task id. */
  readonly #clocks = new Map<string, TaskClock>();
  /** Calls whose 'finished' marker is awaited or has arrived early, by task id. */
  readonly #finishing = new Map<string, { done: Promise<void>; resolve(): void }>();
  readonly #chatter: ChatterLimiter;
  readonly #rates: ChatterRates;
  /** Worker deployments not yet closed: warmed again when a thread is replaced. */
  readonly #deployed = new Set<WorkerDeployment>();
  readonly #grants = new WorkerGrants();
  #rewarming = false;

  constructor(services: HostServices, threads: number, chatter: ChatterLimiter, rates: ChatterRates) {
    this.#services = services;
    this.#threads = threads;
    this.#chatter = chatter;
    this.#rates = rates;
  }

  #finishEntry(taskId: string) {
    let entry = this.#finishing.get(taskId);
    if (!entry) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      this.#finishing.set(taskId, (entry = { done, resolve }));
    }
    return entry;
  }

  /** Started on first use: a kernel without worker components pays nothing. */
  #start(): IsolationPool {
    if (this.#pool) return this.#pool;
    this.#channel = new BroadcastChannel(this.#channelName);
    this.#channel.onmessage = (event) => void this.#serve((event as { data: HostRequest }).data);
    this.#pool = new IsolationPool(new URL('./worker-entry.ts', import.meta.url), this.#threads, IDLE_THREAD_MS);
    return this.#pool;
  }

  async #serve(request: HostRequest): Promise<void> {
    if (request.type === 'log') return this.#services.log(request.component, request.level, request.message, request.fields);
    if (request.type === 'emit') return this.#services.emit(request.component, request.callId, request.kind, request.data);
    if (request.type === 'dropped' || request.type === 'finished') {
      for (const drop of request.drops) {
        const [kind, name] = drop.slot.split('/');
        this.#chatter.count({ kind, name, version: drop.version, digest: '' }, drop.kind, drop.dropped);
      }
      if (request.type === 'finished') this.#finishEntry(request.taskId).resolve();
      return;
    }
    if (request.type === 'tool' || request.type === 'mesh') return this.#serveTool(request);
    if (request.type === 'code-graph')
      return this.#paused(request.taskId, () => this.#answer(request.id, () => serveCodeGraph(this.#services, this.#grants, request)));
    if (request.type === 'memory')
      return this.#paused(request.taskId, () => this.#answer(request.id, () => serveMemory(this.#services, this.#grants, request)));
    if (request.type === 'http') return this.#services.recordHttp?.(request.component, request.record);
    if (request.type === 'secret') return this.#answer(request.id, () => this.#services.secret?.(request.name));
    const service = (request.type === 'kv' ? this.#services.kv : this.#services.sql) as unknown as
      | Record<string, (...args: unknown[]) => Promise<unknown>>
      | undefined;
    let reply: HostReply;
    try {
      if (!service) throw new Error('no database is open in this kernel (titan:host/sql is unavailable here)');
      reply = { type: 'kv-reply', id: request.id, value: await service[request.op](...request.args) };
    } catch (error) {
      reply = { type: 'kv-reply', id: request.id, error: error instanceof Error ? error.message : String(error) };
    }
    this.#channel?.postMessage(reply);
  }

  async #answer(id: string, work: () => Promise<unknown> | undefined): Promise<void> {
    let reply: HostReply;
    try {
      reply = { type: 'kv-reply', id, value: await work() };
    } catch (error) {
      const coded = error as { code?: string; message?: string };
      reply = { type: 'kv-reply', id, error: coded.code ? `${coded.code}: ${coded.message}` : String(coded.message ?? error) };
    }
    this.#channel?.postMessage(reply);
  }

  /** A nested tool or memory call has its own time: the wait for it is not charged to the caller's limit. */
  async #paused(taskId: string | undefined, work: () => Promise<void>): Promise<void> {
    const caller = taskId === undefined ? undefined : this.#clocks.get(taskId);
    caller?.pause();
    try {
      // The caller's thread waits meanwhile: lent to the pool, so the nested call never queues behind it.
      await (caller && this.#pool ? this.#pool.lend(work) : work());
    } finally {
      caller?.resume();
    }
  }

  #serveTool(request: Extract<HostRequest, { type: 'tool' | 'mesh' }>): Promise<void> {
    return this.#paused(request.taskId, () => this.#runTool(request));
  }

  async #runTool(request: Extract<HostRequest, { type: 'tool' | 'mesh' }>): Promise<void> {
    let reply: HostReply;
    try {
      if (request.type === 'mesh') {
        if (!this.#services.mesh) throw new TitanError('TITAN_E_MESH_DISABLED', 'this node runs no mesh');
        reply = { type: 'kv-reply', id: request.id, value: await this.#services.mesh.submit(request.component, request.name, request.range, request.input) };
        this.#channel?.postMessage(reply);
        return;
      }
      if (!this.#services.tools) throw new Error('TITAN_E_SLOT_EMPTY: this kernel runs no tools');
      reply = { type: 'kv-reply', id: request.id, value: await this.#services.tools.invoke(request.component, request.callId, request.name, request.input) };
    } catch (error) {
      const coded = error as { code?: string; message?: string };
      reply = { type: 'kv-reply', id: request.id, error: coded.code ? `${coded.code}: ${coded.message}` : String(coded.message ?? error) };
    }
    this.#channel?.postMessage(reply);
  }

  /**
   * A terminated thread is replaced by a cold one: every serving worker component is warmed
   * again in the background, so the next call (or one nested in a reflex's, under the reflex's
   * time limit) does not pay the compile and instantiate.
   */
  #threadLost(): void {
    if (this.#rewarming) return;
    this.#rewarming = true;
    setTimeout(() => {
      this.#rewarming = false;
      for (const deployment of this.#deployed) void deployment.warm().catch(() => {});
    }, 0).unref();
  }

  /** `replayOnly`: a deployment for verification, whose instances answer host imports from tapes. */
  deploy(loaded: WorkerComponent, onReplaced: (reason: string) => void, options: { replayOnly?: boolean } = {}): Deployment {
    const deployment = new WorkerDeployment(
      { ...loaded, replayOnly: options.replayOnly === true },
      this.#start(),
      this.#channelName,
      {
        broadcast: (reply) => this.#channel?.postMessage(reply),
        register: (taskId, clock) => {
          this.#clocks.set(taskId, clock);
          return () => this.#clocks.delete(taskId);
        },
        finished: async (taskId) => {
          const { done } = this.#finishEntry(taskId);
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, FINISH_WAIT_MS)))]);
          clearTimeout(timer);
          this.#finishing.delete(taskId);
        },
        chatter: this.#rates,
        chatterCells: (component) => this.#chatter.cells(component),
        services: this.#services,
        grants: this.#grants,
        threadLost: () => this.#threadLost(),
        closed: () => this.#deployed.delete(deployment),
      },
      onReplaced,
    );
    this.#deployed.add(deployment);
    return deployment;
  }

  async close(): Promise<void> {
    await this.#pool?.close();
    this.#channel?.close();
  }
}

class WorkerDeployment implements Deployment {
  readonly manifest: PublishedManifest;
  readonly isolation = 'worker' as const;
  readonly #pool: IsolationPool;
  /** What each thread is told once: the call messages carry only their own fields. */
  readonly #base: DeploymentBase;
  readonly #timeoutMs: number;
  readonly #memoryMb: number;
  readonly #who: string;
  readonly #link: WorkerLink;
  readonly #onReplaced: (reason: string) => void;
  readonly #usesMesh: boolean;
  readonly #handover: ModuleHandover;
  #inFlight = new Set<Promise<unknown>>();
  #exported: Promise<string[]> | undefined;
  #calls = 0;
  #discarded = 0;

  constructor(loaded: WorkerComponent & { replayOnly: boolean }, pool: IsolationPool, channel: string, link: WorkerLink, onReplaced: (reason: string) => void) {
    this.manifest = loaded.manifest;
    this.#pool = pool;
    this.#usesMesh = loaded.plan.imports.some((i) => i.host.name === 'mesh');
    this.#who = describeComponent(loaded.manifest);
    this.#timeoutMs = loaded.limits.timeoutMs ?? 30000;
    this.#memoryMb = loaded.memoryMb;
    this.#link = link;
    this.#onReplaced = onReplaced;
    const component = { kind: loaded.manifest.kind, name: loaded.manifest.name, version: loaded.manifest.version, digest: loaded.manifest.digest };
    this.#base = {
      channel,
      deploymentId: randomUUID(),
      dir: loaded.transpiled.dir,
      memoryMb: loaded.memoryMb,
      maxResultBytes: loaded.maxResultBytes,
      chatter: link.chatter,
      sqlDialect: link.services.sql?.dialect,
      workspace: link.services.workspace,
      component,
      chatterCells: link.chatterCells(component),
      imports: loaded.plan.imports.map((i) => ({ name: i.host.name, version: i.version, spec: i.spec, grant: i.grant })),
      exportInterface: loaded.plan.exportInterface,
      ...(loaded.replayOnly ? { replayOnly: true } : {}),
    };
    link.grants.add(this.#base.deploymentId, this.#base.imports);
    this.#handover = new ModuleHandover(this.#base, this.#who);
  }

  call(fn: string, args: unknown[], options: CallOptions = {}): Promise<unknown> {
    return this.#track(this.#run(fn, args, options));
  }

  #track(running: Promise<unknown>): Promise<unknown> {
    this.#inFlight.add(running);
    void running.catch(() => {}).finally(() => this.#inFlight.delete(running));
    return running;
  }

  async #run(fn: string, args: unknown[], options: CallOptions): Promise<unknown> {
    this.#calls++;
    // The first use compiles here, once for every thread (module-handover.ts); a failure is the thread's to report.
    if (!this.#handover.asked) await this.#handover.hold().catch(() => {});
    // The limit bounds the guest's own work (task-clock.ts): no message per call, a shared cell.
    let handle: CallHandle | undefined;
    let limitPassed = false;
    const limitMs = Math.min(this.#timeoutMs, options.limitMs ?? Infinity);
    const clock = new TaskClock(limitMs, COLD_START_LIMIT_MS, () => {
      limitPassed = true;
      handle?.stop('time limit');
    });
    const call: CallMessage = {
      deploymentId: this.#base.deploymentId,
      fn,
      args,
      callId: options.callId,
      taskId: `${this.#base.deploymentId}:${this.#calls}`,
      started: clock.started,
    };
    if (options.tape) call.record = true;
    if (options.replay) call.replay = options.replay;
    if (this.#usesMesh && this.#link.services.mesh) call.meshPeers = this.#link.services.mesh.peers();
    const forget = this.#link.register(call.taskId, clock);
    const dispatched = wallMs();
    handle = this.#pool.run(this.#base, call);
    // The caller's cancel (a peer's task) stops the call the way its limit does: the thread is terminated.
    const cancelled = () => handle.stop('cancelled');
    if (options.signal?.aborted) cancelled();
    options.signal?.addEventListener('abort', cancelled, { once: true });
    let outcome: WorkerOutcome;
    try {
      outcome = await handle.outcome;
    } catch (error) {
      this.#discarded++;
      this.#link.threadLost();
      if (options.signal?.aborted) {
        this.#onReplaced('its caller cancelled the call; its worker was terminated');
        throw new TitanError('TITAN_E_MESH_CANCELLED', `${this.#who}: its caller cancelled the call; the call was stopped`);
      }
      if (limitPassed) {
        this.#onReplaced(`call exceeded ${limitMs} ms; its worker was terminated`);
        throw new TitanError('TITAN_E_TIMEOUT', `${this.#who} did not answer within ${limitMs} ms; the call was stopped`);
      }
      this.#onReplaced(`worker failed: ${(error as Error)?.message}`);
      throw trapError(this.#who, error);
    } finally {
      clock.stop();
      forget();
      options.signal?.removeEventListener('abort', cancelled);
    }
    this.#handover.settle(this.#pool.told(this.#base.deploymentId), this.#pool.max);
    if (outcome.made?.compiledHere && compiles.hasSubscribers) compiles.publish({ who: this.#who, where: 'thread' } satisfies CompileNotice);
    if (outcome.said) await this.#link.finished(call.taskId);
    if (workerCalls.hasSubscribers) this.#timed(fn, dispatched, clock, outcome);
    if (outcome.tape && options.tape) options.tape.push(...outcome.tape);
    switch (outcome.kind) {
      case 'ok':
        return outcome.value;
      case 'guest-error':
        throw guestResultError(this.#who, Object.assign(new Error('guest error'), { payload: outcome.payload }));
      case 'missing':
        throw new TitanError('TITAN_E_NOT_FOUND', `${this.#who} does not export "${outcome.fn}"`);
      case 'coded':
        this.#onReplaced(outcome.message.slice(0, 200));
        throw new TitanError(outcome.code as ErrorCode, outcome.message);
      case 'trap':
        this.#discarded++;
        this.#onReplaced(outcome.outOfMemory ? 'out of memory' : outcome.message.slice(0, 200));
        if (outcome.outOfMemory) {
          throw new TitanError('TITAN_E_OUT_OF_MEMORY', `${this.#who} hit its memory cap of ${this.#memoryMb} MiB (${outcome.message})`);
        }
        throw trapError(this.#who, new Error(outcome.message));
    }
  }

  #timed(fn: string, dispatched: number, clock: TaskClock, { endedAt, made }: WorkerOutcome): void {
    const began = Number(Atomics.load(clock.started, 0)) / 1000;
    if (!began || !endedAt) return;
    const { kind, name } = this.#base.component;
    const timing: WorkerCallTiming = { slot: `${kind}/${name}`, fn, startMs: began - dispatched, runMs: endedAt - began, replyMs: wallMs() - endedAt, made };
    workerCalls.publish(timing);
  }

  async exports(fn: string): Promise<boolean> {
    this.#exported ??= this.call(LIST_EXPORTS, []) as Promise<string[]>;
    return (await this.#exported).includes(camel(fn));
  }

  /** One instance in each thread of the pool (concurrent calls spread over idle threads): a
   * call arriving on any thread, or nested in another worker call, finds its instance ready. */
  async warm(): Promise<void> {
    // Threads that lack the modules (all, or one started in place of a lost one) are handed them.
    if (this.#pool.told(this.#base.deploymentId) < this.#pool.max) await this.#handover.hold().catch(() => {});
    await Promise.all(Array.from({ length: this.#pool.max }, () => this.#track(this.#run('describe', [], {}))));
  }

  async close(): Promise<void> {
    this.#link.closed();
    this.#handover.letGo();
    await Promise.allSettled([...this.#inFlight]);
    this.#link.broadcast({ type: 'dispose', deploymentId: this.#base.deploymentId });
    this.#pool.forget(this.#base.deploymentId);
    this.#link.grants.delete(this.#base.deploymentId);
  }

  stats(): PoolStats {
    const busy = this.#inFlight.size;
    return { live: 0, idle: 0, busy, waiting: 0, created: this.#calls, discarded: this.#discarded, max: 0 };
  }
}
