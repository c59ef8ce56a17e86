// The receiving side of the task protocol. Each peer keeps one stream open to us; every task on
// it must name this node as assignee (anything else is refused unrun). Task ids are remembered in
// a bounded TTL cache: a repeated id never runs twice - it gets the first run's result, or joins
// the run in progress. At most `slots` tasks run at once; the rest queue, and a cancel removes a
// queued task before it starts or stops a running one. A watchdog here stops every task at its
// time limit (the sender's, counted from its arrival, plus a grace) even when the sender cannot
// reach this node: inline guest calls run under the kernel's watchdog, worker calls are terminated.
import type { Stream } from '@libp2p/interface';
import { TitanError } from '../common/errors.ts';
import { FramedStream } from './frames.ts';
import { TASK_TYPES, wire, type FromPeer, type ResultMessage, type TaskMessage, type ToPeer, type WireError } from './messages.ts';
import { TtlCache } from './ttl-cache.ts';

/** Results kept for repeats of a task id are at most this large (the cache holds up to 100k ids). */
const MAX_REPLAY_BYTES = 64 * 1024;

/** `stop`: aborted on the sender's cancel or at the time limit; `limitMs`: what is left of the task's time. */
export type TaskControl = { stop: AbortSignal; limitMs: number };
export type TaskExecutor = (task: TaskMessage, from: string, onProgress: (kind: string, data: string) => void, control: TaskControl) => Promise<unknown>;

/** Past the sender's limit the assignee gives the task this much more (its share of the sender's wait for a confirmation). */
export function watchdogGraceMs(limitMs: number): number {
  return Math.min(250, Math.round(limitMs / 4));
}

type Channel = FramedStream<ToPeer, FromPeer>;
/** Each copy of a task that arrived, by the stream it came on: every copy gets the one result. */
type Seen = { state: 'queued' | 'running'; channels: Channel[]; from: string } | { state: 'done'; result: ResultMessage; from: string };

export type TaskServerStats = {
  received: number;
  executed: number;
  duplicatesSuppressed: number;
  refused: number;
  cancelled: number;
  /** Tasks this node's watchdog stopped at their time limit. */
  stoppedAtLimit: number;
  running: number;
  queued: number;
};

export class TaskServer {
  readonly #self: string;
  readonly #slots: number;
  readonly #execute: TaskExecutor;
  readonly #onCancel: (id: string) => void;
  readonly #seen: TtlCache<Seen>;
  readonly #queue: Array<{ task: TaskMessage; from: string; deadline: number }> = [];
  /** Each running task's stop: aborted by its sender's cancel or by the watchdog. */
  readonly #stops = new Map<string, AbortController>();
  readonly #timeoutMs: number;
  readonly #channels = new Set<Channel>();
  #running = 0;
  readonly #runningFrom: string[] = [];
  readonly stats: TaskServerStats = { received: 0, executed: 0, duplicatesSuppressed: 0, refused: 0, cancelled: 0, stoppedAtLimit: 0, running: 0, queued: 0 };

  /** `onCancel(id)`: stop a running task's work (its commands are killed); its result is dropped anyway.
   * `timeoutMs`: how long a task that names no limit of its own may run here. */
  constructor(
    self: string,
    slots: number,
    execute: TaskExecutor,
    dedup: { maxEntries: number; ttlMs: number },
    onCancel: (id: string) => void = () => {},
    timeoutMs = 30_000,
  ) {
    this.#onCancel = onCancel;
    this.#timeoutMs = timeoutMs;
    this.#self = self;
    this.#slots = slots;
    this.#execute = execute;
    this.#seen = new TtlCache(dedup.maxEntries, dedup.ttlMs);
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Tasks running or queued here, per sending peer. */
  busyBy(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { from } of this.#queue) counts[from] = (counts[from] ?? 0) + 1;
    for (const from of this.#runningFrom) counts[from] = (counts[from] ?? 0) + 1;
    return counts;
  }

  /** The libp2p stream handler for TASK_PROTOCOL. */
  async serve(stream: Stream, from: string): Promise<void> {
    const channel: Channel = new FramedStream(stream);
    this.#channels.add(channel);
    await channel.readAll((message) => this.#onMessage(channel, from, message));
    this.#channels.delete(channel);
  }

  close(): void {
    for (const channel of this.#channels) channel.close();
  }

  #onMessage(channel: Channel, from: string, message: ToPeer): void {
    if (message.t === 'cancel') return this.#cancel(String(message.id), from, channel);
    if (message.t !== 'task') return;
    this.stats.received++;
    const problem = this.#check(message);
    if (problem) {
      this.stats.refused++;
      void channel.send({ t: 'result', id: String(message.id), ok: false, error: problem }).catch(() => {});
      return;
    }
    const seen = this.#seen.get(message.id);
    if (seen) {
      this.stats.duplicatesSuppressed++;
      if (seen.state === 'done') void channel.send(seen.result).catch(() => {});
      else seen.channels.push(channel);
      return;
    }
    this.#seen.set(message.id, { state: 'queued', channels: [channel], from });
    // The sender's limit (a job run waits longer than a tool call); this node's own when it names none.
    const limit = Number(message.timeoutMs) > 0 ? Number(message.timeoutMs) : this.#timeoutMs;
    this.#queue.push({ task: message, from, deadline: performance.now() + limit + watchdogGraceMs(limit) });
    this.#pump();
  }

  #check(task: TaskMessage): WireError | undefined {
    if (typeof task.id !== 'string' || task.id.length === 0 || task.id.length > 200)
      return wire(new TitanError('TITAN_E_MESH_TASK_INVALID', 'a task needs an id of 1-200 characters'));
    if (task.assignee !== this.#self) {
      return wire(new TitanError('TITAN_E_MESH_NOT_ASSIGNEE', `task ${task.id} is assigned to ${task.assignee}, not to this node (${this.#self})`));
    }
    if (!TASK_TYPES.includes(task.type)) return wire(new TitanError('TITAN_E_MESH_TASK_INVALID', `unknown task type "${task.type}"`));
    if (!task.component || typeof task.fn !== 'string' || !Array.isArray(task.args))
      return wire(new TitanError('TITAN_E_MESH_TASK_INVALID', `task ${task.id} lacks its component, function or arguments`));
    return undefined;
  }

  #pump(): void {
    while (this.#running < Math.max(1, this.#slots) && this.#queue.length > 0) {
      const { task, from, deadline } = this.#queue.shift()!;
      if (this.#seen.get(task.id)?.state !== 'queued') continue; // cancelled while queued
      this.#running++;
      this.#runningFrom.push(from);
      const release = () => {
        this.#running--;
        this.#runningFrom.splice(this.#runningFrom.indexOf(from), 1);
        this.#pump();
      };
      // The slot is taken now, the task starts from the event loop: an inline guest call runs
      // synchronously, and frames that arrived meanwhile (a cancel of this very task) are read first.
      setImmediate(() => {
        const seen = this.#seen.get(task.id);
        if (seen?.state !== 'queued') return release();
        seen.state = 'running';
        void this.#run(task, from, seen.channels, deadline).finally(release);
      });
    }
    this.stats.running = this.#running;
    this.stats.queued = this.#queue.length;
  }

  async #run(task: TaskMessage, from: string, channels: Channel[], deadline: number): Promise<void> {
    this.stats.executed++;
    const progress = (kind: string, data: string) => {
      for (const channel of new Set(channels)) void channel.send({ t: 'progress', id: task.id, kind, data }).catch(() => {});
    };
    const stop = new AbortController();
    this.#stops.set(task.id, stop);
    // The watchdog: at the deadline the task ends here, whether or not its work has noticed.
    const limitMs = Math.max(1, Math.ceil(deadline - performance.now()));
    const watchdog = setTimeout(() => this.#stopAtLimit(task.id), limitMs);
    let result: ResultMessage;
    try {
      result = { t: 'result', id: task.id, ok: true, value: await this.#execute(task, from, progress, { stop: stop.signal, limitMs }) };
    } catch (error) {
      // An inline call stopped by the kernel's watchdog at this same limit ends here before the timer fires.
      if (performance.now() >= deadline - 5 && !stop.signal.aborted) this.#stopAtLimit(task.id);
      result = { t: 'result', id: task.id, ok: false, error: wire(error) };
    } finally {
      clearTimeout(watchdog);
      this.#stops.delete(task.id);
    }
    const seen = this.#seen.get(task.id);
    if (seen && seen.state === 'done') return; // cancelled or stopped while running: that answer stands
    const replay: ResultMessage =
      JSON.stringify(result).length <= MAX_REPLAY_BYTES
        ? result
        : {
            t: 'result',
            id: task.id,
            ok: false,
            error: wire(new TitanError('TITAN_E_MESH_TASK_INVALID', `task ${task.id} already ran here; its result (over 64 KiB) is not kept for repeats`)),
          };
    this.#seen.set(task.id, { state: 'done', result: replay, from });
    for (const channel of channels) void channel.send(result).catch(() => {});
  }

  /** The watchdog's end of a task: its work is stopped, and every copy's sender hears that it was. */
  #stopAtLimit(id: string): void {
    const seen = this.#seen.get(id);
    if (!seen || seen.state === 'done') return;
    this.stats.stoppedAtLimit++;
    this.#onCancel(id);
    this.#stops.get(id)?.abort();
    const result: ResultMessage = {
      t: 'result',
      id,
      ok: false,
      error: wire(new TitanError('TITAN_E_MESH_CANCELLED', `task ${id} was stopped on ${this.#self} at its time limit`)),
      stopped: true,
    };
    this.#seen.set(id, { state: 'done', result, from: seen.from });
    for (const channel of seen.channels) void channel.send(result).catch(() => {});
  }

  #cancel(id: string, from: string, asking: Channel): void {
    const seen = this.#seen.get(id);
    if (!seen) {
      // Never arrived (or long forgotten): confirmed dropped, so the sender may run it elsewhere.
      const gone: ResultMessage = { t: 'result', id, ok: false, error: wire(new TitanError('TITAN_E_MESH_CANCELLED', `task ${id} is not running here`)) };
      void asking.send(gone).catch(() => {});
      return;
    }
    if (seen.from !== from) return;
    // Already over (answered, or stopped at its limit): its sender hears how it ended, which confirms nothing runs.
    if (seen.state === 'done') return void asking.send(seen.result).catch(() => {});
    this.stats.cancelled++;
    if (seen.state === 'running') {
      this.#onCancel(id);
      this.#stops.get(id)?.abort();
    }
    const result: ResultMessage = {
      t: 'result',
      id,
      ok: false,
      error: wire(new TitanError('TITAN_E_MESH_CANCELLED', `task ${id} was cancelled by its sender`)),
    };
    const channels = seen.channels;
    this.#seen.set(id, { state: 'done', result, from });
    for (const channel of channels) void channel.send(result).catch(() => {});
  }
}
