// The threads isolated components run in: up to `max` worker threads, one call at a time each,
// calls queued in order beyond that. A call is stopped by terminating its thread (the only way to
// pre-empt a guest); another thread replaces it on the next call. Idle threads exit after a while
// and never keep the process alive. Each thread is told a deployment's fixed part (identity,
// imports, transpiled folder, the modules the kernel compiled for them) once; a call then carries only its own few fields, so a round trip
// costs one small message each way (tinypool cloned the whole task and read the thread's memory
// usage on every call: 46-53 µs per call, against about 20 now).
//
// A call waiting on a nested call (a reflex's tool call) holds its thread without running: it
// lends the pool one more thread meanwhile, and the nested call goes before the queue, so calls
// that each wait on another never starve the pool (four reflexes at once on two threads did).
import { AsyncLocalStorage } from 'node:async_hooks';
import { Worker } from 'node:worker_threads';
import type { CallMessage, DeploymentBase, ThreadAnswer, WorkerOutcome } from './worker-protocol.ts';
import { typescriptWorker } from '../common/installed-typescript.ts';

/** A call the pool gave up on (its thread was terminated): why, for the caller's error. */
export class CallStopped extends Error {}

type Pending = {
  base: DeploymentBase;
  call: CallMessage;
  resolve(outcome: WorkerOutcome): void;
  reject(error: Error): void;
  thread?: Thread;
  stopped?: boolean;
};

type Thread = {
  worker: Worker;
  /** Deployments whose fixed part this thread was sent. */
  known: Set<string>;
  running: Pending | undefined;
  idle: NodeJS.Timeout | undefined;
};

export type CallHandle = { outcome: Promise<WorkerOutcome>; stop(reason: string): void };

/** Set while the kernel serves a worker call's nested call: pool calls made within it go first. */
const nested = new AsyncLocalStorage<true>();

export class IsolationPool {
  readonly max: number;
  readonly #entry: URL;
  readonly #idleMs: number;
  readonly #threads = new Set<Thread>();
  readonly #queue: Pending[] = [];
  /** Threads lent by calls that wait on a nested call (each may run one call more than `max`). */
  #lent = 0;
  #closed = false;

  constructor(entry: URL, max: number, idleMs: number) {
    this.#entry = entry;
    this.max = Math.max(1, max);
    this.#idleMs = idleMs;
  }

  /** Runs one call of a deployment on a free thread (or the next one to be free). */
  run(base: DeploymentBase, call: CallMessage): CallHandle {
    let pending!: Pending;
    const outcome = new Promise<WorkerOutcome>((resolve, reject) => {
      pending = { base, call, resolve, reject };
    });
    if (this.#closed) pending.reject(new CallStopped('the isolation pool is closed'));
    else {
      if (nested.getStore()) this.#queue.unshift(pending);
      else this.#queue.push(pending);
      this.#dispatch();
    }
    return { outcome, stop: (reason) => this.#stop(pending, reason) };
  }

  /**
   * Runs `work`, a nested call a worker call waits on, with one more thread allowed while it runs
   * (the waiting call's) and the pool calls it makes ahead of the queue.
   */
  async lend<T>(work: () => Promise<T>): Promise<T> {
    this.#lent++;
    try {
      return await nested.run(true, work);
    } finally {
      this.#lent--;
    }
  }

  /** How many live threads have been told a deployment's fixed part (its handed modules with it). */
  told(deploymentId: string): number {
    let n = 0;
    for (const thread of this.#threads) if (thread.known.has(deploymentId)) n++;
    return n;
  }

  /** A deployment closed: threads forget they were told about it (its id is never reused). */
  forget(deploymentId: string): void {
    for (const thread of this.#threads) thread.known.delete(deploymentId);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) pending.reject(new CallStopped('the isolation pool is closed'));
    await Promise.all([...this.#threads].map((thread) => this.#end(thread, new CallStopped('the isolation pool is closed'))));
  }

  #stop(pending: Pending, reason: string): void {
    if (pending.stopped) return;
    pending.stopped = true;
    const queued = this.#queue.indexOf(pending);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      pending.reject(new CallStopped(reason));
    } else if (pending.thread?.running === pending) void this.#end(pending.thread, new CallStopped(reason));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const thread = this.#freeThread();
      if (!thread) return;
      this.#send(thread, this.#queue.shift() as Pending);
    }
  }

  #freeThread(): Thread | undefined {
    let running = 0;
    let free: Thread | undefined;
    for (const thread of this.#threads) {
      if (thread.running) running++;
      else free ??= thread;
    }
    if (running >= this.max + this.#lent) return undefined;
    return free ?? this.#spawn();
  }

  #send(thread: Thread, pending: Pending): void {
    clearTimeout(thread.idle);
    thread.running = pending;
    pending.thread = thread;
    thread.worker.ref();
    const id = pending.base.deploymentId;
    if (thread.known.has(id)) thread.worker.postMessage(pending.call);
    else {
      thread.known.add(id);
      thread.worker.postMessage({ ...pending.call, base: pending.base });
    }
  }

  #spawn(): Thread {
    const worker = new Worker(this.#entry, typescriptWorker);
    const thread: Thread = { worker, known: new Set(), running: undefined, idle: undefined };
    this.#threads.add(thread);
    worker.on('message', (answer: ThreadAnswer) => this.#answered(thread, answer));
    worker.on('error', (error) => void this.#end(thread, error));
    worker.on('exit', (code) => void this.#end(thread, new Error(`the isolation thread exited (code ${code})`)));
    return thread;
  }

  #answered(thread: Thread, answer: ThreadAnswer): void {
    const pending = thread.running;
    if (!pending || pending.call.taskId !== answer.taskId) return;
    thread.running = undefined;
    if ('outcome' in answer) pending.resolve(answer.outcome);
    else pending.reject(new Error(answer.error));
    this.#rest(thread);
    this.#dispatch();
  }

  /** An idle thread lets the process exit, and exits itself after idleMs. */
  #rest(thread: Thread): void {
    if (thread.running) return;
    thread.worker.unref();
    clearTimeout(thread.idle);
    thread.idle = setTimeout(() => void this.#end(thread, new CallStopped('idle')), this.#idleMs).unref();
  }

  async #end(thread: Thread, error: Error): Promise<void> {
    if (!this.#threads.delete(thread)) return;
    clearTimeout(thread.idle);
    const pending = thread.running;
    thread.running = undefined;
    pending?.reject(error);
    if (!this.#closed) this.#dispatch();
    await thread.worker.terminate().catch(() => {});
  }
}
