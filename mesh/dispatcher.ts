// Where a node's tasks run: the scheduler's queue, this node's own slots, sending to a peer and
// what happens when that peer is lost or times out (another peer, or this node), cancels, and the
// hook through which the kernel's pure tool calls take the same path.
import { randomUUID } from 'node:crypto';
import { TitanError } from '../common/errors.ts';
import type { Kernel, RoutedCall } from '../kernel/api.ts';
import type { ComponentKind } from '../registry/manifest.ts';
import { checkPeerId } from './allowlist.ts';
import type { LocalExecutor, Need } from './executor.ts';
import type { Membership } from './membership.ts';
import { TASK_TYPES, type TaskMessage, type TaskType } from './messages.ts';
import { isOffloadable } from './offload-policy.ts';
import { place, type Job, type Outcome, type SchedulerView } from './scheduler.ts';
import { Lost, type TaskClient } from './task-client.ts';

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

export type DispatcherDeps = {
  self: string;
  kernel: Kernel;
  slots: number;
  client: TaskClient;
  executor: LocalExecutor;
  membership: () => Membership;
};

export class Dispatcher {
  readonly counters = { offloaded: 0, localRuns: 0, fallbacks: 0, redispatched: 0 };
  /** Tasks sent to peers and run for peers, per task type. */
  readonly byType = Object.fromEntries(TASK_TYPES.map((type) => [type, { sent: 0, executedForPeers: 0 }])) as Record<
    TaskType,
    { sent: number; executedForPeers: number }
  >;
  readonly #deps: DispatcherDeps;
  readonly #queue: Job[] = [];
  #localRunning = 0;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
  }

  /** Tasks running on this node's own slots now. */
  get localRunning(): number {
    return this.#localRunning;
  }

  get queued(): number {
    return this.#queue.length;
  }

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
      if (request.assignee && checkPeerId(request.assignee) === this.#deps.self) {
        job.localOnly = true;
        this.#runHere(job, false);
        return;
      }
      if (request.assignee) {
        const assignee = checkPeerId(request.assignee);
        const member = this.#deps.membership().get(assignee);
        const ad = member?.components.find((c) => c.kind === kind && c.name === request.name);
        // A named peer runs the version it advertises, or - advertising none - ours, which it pulls from us.
        const pin = ad ?? this.#deps.executor.serving(need);
        job.localOnly = true; // named: should that peer be lost, no other peer takes it, only this node
        this.#send(job, assignee, pin?.version ?? '0.0.0', pin?.digest ?? '');
        return;
      }
      this.#enqueue(job);
    });
    return { id, result, cancel: () => cancel() };
  }

  /** The kernel's toolCalls port: a pure tool's invoke goes through the scheduler, the rest runs here. */
  async routeToolCall(call: RoutedCall, local: () => Promise<unknown>): Promise<unknown> {
    // Only a pure tool's work leaves this node; describe and smoke are never worth a hop.
    if (call.manifest && (call.fn !== 'invoke' || !isOffloadable(call.manifest))) return local();
    const need: Need = {
      kind: call.kind,
      name: call.name,
      range: call.manifest ? `^${call.manifest.version}` : '*',
      digest: call.manifest?.digest,
      version: call.manifest?.version,
    };
    const kernel = this.#deps.kernel;
    const outcome = await new Promise<Outcome>((resolve, reject) => {
      const onProgress = call.options?.callId
        ? (kind: string, data: string) =>
            kernel.services.emit(
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
    const { self, slots, client, executor } = this.#deps;
    const membership = this.#deps.membership();
    return {
      self,
      localSlots: slots,
      localRunning: () => this.#localRunning,
      localCan: (job) => job.local !== undefined || executor.serving(job.need) !== undefined,
      members: () => membership.members(),
      inFlight: (peer) => client.inFlight(peer),
      sentTo: (peer) => client.sentTo(peer),
    };
  }

  #enqueue(job: Job): void {
    this.#queue.push(job);
    this.dispatch();
  }

  /** Places queued tasks while slots are free (called when a task ends or a peer joins). */
  dispatch(): void {
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
    const run = job.local ?? (() => this.#deps.executor.run(job.need, job.fn, job.args, { from, callId: `mesh:${job.id}`, onProgress: job.onProgress }));
    // Started from the event loop, not the microtask queue: an inline guest call runs synchronously,
    // and a chain of local runs would otherwise keep peers' results (I/O) waiting until all are done.
    new Promise<unknown>((resolve) => setImmediate(() => resolve(run())))
      .then(
        (value) => job.resolve({ value, node: this.#deps.self, fallback }),
        (error: Error) => job.reject(error),
      )
      .finally(() => {
        this.#localRunning--;
        this.dispatch();
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
    this.byType[job.type].sent++;
    job.at = peer;
    this.#deps.client
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
      .finally(() => this.dispatch());
  }

  #cancel(job: Job): void {
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      job.reject(new TitanError('TITAN_E_MESH_CANCELLED', `task ${job.id} was cancelled before it started`));
      return;
    }
    if (job.at) void this.#deps.client.cancel(job.id, job.at);
  }

  /** The mesh is stopping: a kernel call still queued runs here, every other task fails. */
  drain(): void {
    for (const job of this.#queue.splice(0)) {
      if (job.local) this.#runHere(job, true);
      else job.reject(new TitanError('TITAN_E_SHUTTING_DOWN', 'the mesh is stopping'));
    }
  }
}
