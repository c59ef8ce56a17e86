// A deployed component version: what a slot points at. Two ways to run it behind one shape:
// inline (instances in the kernel's thread, microseconds per call) and worker (instances in a
// worker pool, where a call past its time limit is stopped by terminating the worker).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { TitanError } from '../common/errors.ts';
import type { HostServices } from '../host-api/index.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import { guestResultError, isGuestResultError, leavesInstanceUnsettled, trapError } from './guest-errors.ts';
import { atMemoryCap, guestFunction, instantiate, type GuestInstance } from './instance.ts';
import type { HostAnswer } from './host-tape.ts';
import type { LoadedComponent } from './loader.ts';
import { InstancePool, type PoolStats } from './pool.ts';
import { Preempted, runWatched } from './watchdog.ts';

export type CallOptions = {
  callId?: string;
  /** Given: the call's host answers are appended to it (a recorded call, host-tape.ts). */
  tape?: HostAnswer[];
  /** On a replay deployment: the recorded answers the call's host imports give back. */
  replay?: HostAnswer[];
  /** The caller's own limit (a peer's task): the call is stopped when it passes, inline ones included. */
  limitMs?: number;
  /** Aborted: the call is stopped (a worker's thread is terminated; an inline call's instance is given up). */
  signal?: AbortSignal;
};

export type Deployment = {
  readonly manifest: PublishedManifest;
  readonly isolation: 'inline' | 'worker';
  /** Calls an exported function by its WIT name ("invoke"); errors are TitanErrors. */
  call(fn: string, args: unknown[], options?: CallOptions): Promise<unknown>;
  exports(fn: string): Promise<boolean>;
  warm(instances: number): Promise<void>;
  /** Waits for calls in flight, then frees the instances. */
  close(): Promise<void>;
  stats(): PoolStats;
};

export const DEFAULT_MAX_INSTANCES = 8;

/** Thrown inside a pool call whose caller has given up on it (its limit, or cancelled: no limit): the instance must not be reused. */
class Abandoned extends Error {
  readonly limitMs: number | undefined;
  constructor(limitMs?: number) {
    super(limitMs === undefined ? 'cancelled' : `stopped after ${limitMs} ms`);
    this.limitMs = limitMs;
  }
}

/** Thrown by a call that waited for an instance while the grant was withdrawn: it runs in the worker instead. */
class Diverted extends Error {}

/** A call inline by grant stopped at its slice of the kernel's thread, before its own time limit. */
class SliceSpent extends Preempted {
  /** CPU ms the kernel's thread got during the run (GC pauses included). */
  readonly ranMs: number;
  /** It got less than half its wall time on a CPU and the guest had asked the host nothing with
   * effects: the machine held the call back, not the guest, and it may run again. */
  readonly starved: boolean;
  constructor(limitMs: number, ranMs: number, askedHost: boolean) {
    super(limitMs);
    this.ranMs = ranMs;
    this.starved = ranMs < limitMs / 2 && !askedHost;
  }
}

/** Runs of one granted call, the first included, each of one slice (a spinning guest gets more than
 * one only on a busy machine, and its runs together still get about one slice of CPU). */
const MAX_RUNS = 5;

/** CPU ms the kernel's thread has run since `since` (process.threadCpuUsage: this thread only, GC pauses included). */
function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.threadCpuUsage(since);
  return (used.user + used.system) / 1000;
}

export function describeComponent(manifest: PublishedManifest): string {
  return `${manifest.kind}/${manifest.name}@${manifest.version}`;
}

export class InlineDeployment implements Deployment {
  readonly manifest: PublishedManifest;
  readonly isolation = 'inline' as const;
  readonly #pool: InstancePool<GuestInstance>;
  readonly #who: string;
  readonly #timeoutMs: number | undefined;
  readonly #memoryMb: number;
  readonly #onReplaced: (reason: string) => void;
  /** Traps that happened with the instance's memory at its cap (told apart when translated). */
  readonly #outOfMemory = new WeakSet<object>();

  /** Inline by grant: each call runs under the watchdog, stopped at its time limit. */
  readonly #watched: boolean;
  /** Inline by grant: the longest one synchronous run may hold the kernel's thread (kernel.inlineSliceMs). */
  readonly #sliceMs: number;
  /** Inline by grant: describe() has run once, so the guest's code was compiled before its first call. */
  #compiled = false;
  /** Inline by grant: told of each call the watchdog stopped; the stop that withdraws the grant
   * gets the deployment (in a worker) every later call goes to instead. */
  readonly #onStopped: () => Promise<Deployment> | undefined;
  /** The grant was withdrawn: calls not yet running here go to this deployment. */
  #diverted: Promise<Deployment> | undefined;

  constructor(
    loaded: LoadedComponent,
    services: HostServices,
    onReplaced: (reason: string) => void,
    options: { watched?: boolean; sliceMs?: number; onStopped?: () => Promise<Deployment> | undefined } = {},
  ) {
    this.manifest = loaded.manifest;
    this.#watched = options.watched === true && loaded.limits.timeoutMs !== undefined;
    this.#sliceMs = options.sliceMs ?? Infinity;
    this.#who = describeComponent(loaded.manifest);
    this.#timeoutMs = loaded.limits.timeoutMs;
    this.#memoryMb = loaded.memoryMb;
    this.#onReplaced = onReplaced;
    this.#onStopped = options.onStopped ?? (() => undefined);
    this.#pool = new InstancePool(() => instantiate(loaded, services), loaded.limits.maxInstances ?? DEFAULT_MAX_INSTANCES);
  }

  async call(fn: string, args: unknown[], options: CallOptions = {}): Promise<unknown> {
    // A granted call's slice is CPU time of the kernel's thread, kept by wall clock: on a quiet
    // machine the two agree. On a busy one a run can reach the end of its slice having barely run;
    // it runs again on a fresh instance, after the calls that waited, until its runs together got a
    // slice of CPU. No run holds the thread longer than one slice; a guest that spins on a quiet
    // machine gets its slice at the first run and is not run again.
    const taped = options.tape?.length ?? 0;
    const limit = Math.min(this.#timeoutMs ?? Infinity, options.limitMs ?? Infinity);
    const started = performance.now();
    let ranMs = 0;
    for (let run = 0; ; run++) {
      try {
        if (this.#diverted) return await (await this.#diverted).call(fn, args, options);
        return await this.#use(fn, args, options);
      } catch (error) {
        if (error instanceof Diverted) return (await this.#diverted)?.call(fn, args, options);
        const starved = error instanceof SliceSpent && error.starved && (ranMs += error.ranMs) < this.#sliceMs;
        // The call's own time limit bounds all its runs together.
        if (!starved || run + 1 >= MAX_RUNS || performance.now() - started >= limit) {
          if (this.#watched && error instanceof Preempted) this.#diverted ??= this.#onStopped();
          throw this.#translate(error);
        }
      }
      if (options.tape) options.tape.length = taped;
      // The calls that waited meanwhile go first: the runs of one call never hold the thread together.
      await nextTurn();
    }
  }

  #use(fn: string, args: unknown[], options: CallOptions): Promise<unknown> {
    return this.#pool.use(
      (instance) => this.#invoke(instance, fn, args, options),
      (error, instance) => this.#poisons(error, instance),
    );
  }

  #invoke(instance: GuestInstance, fn: string, args: unknown[], options: CallOptions): unknown {
    const guest = guestFunction(instance, fn);
    if (!guest) throw new TitanError('TITAN_E_NOT_FOUND', `${this.#who} does not export "${fn}"`);
    instance.context.callId = options.callId;
    instance.tape.tape = options.tape;
    instance.tape.asked = 0;
    if (options.signal?.aborted) throw new Abandoned();
    if (this.#diverted) throw new Diverted();
    // A caller's own limit (a peer's task) puts even a built-in's call under the watchdog.
    const limit = Math.min(this.#timeoutMs ?? Infinity, options.limitMs ?? Infinity);
    const watched = this.#watched || options.limitMs !== undefined;
    // Every other call waits while this one runs in the kernel's thread: a granted one gets a slice of it.
    const slice = this.#watched ? Math.min(limit, this.#sliceMs) : limit;
    const sliced = this.#watched && slice < limit;
    const cpu = sliced ? process.threadCpuUsage() : undefined;
    let result: unknown;
    try {
      result = watched ? runWatched(() => guest(...args), slice) : guest(...args);
    } catch (error) {
      if (!(error instanceof Preempted) || !cpu) throw error;
      throw new SliceSpent(slice, cpuMsSince(cpu), (instance.tape.asked ?? 0) > 0);
    }
    if (!(result instanceof Promise) || (limit === Infinity && !options.signal)) return result;
    // A suspended (JSPI) call can be given up on; the instance is then dropped, never reused.
    let timer: NodeJS.Timeout | undefined;
    let onAbort = () => {};
    const deadline = new Promise<never>((_, reject) => {
      if (limit !== Infinity) timer = setTimeout(() => reject(new Abandoned(limit)), limit);
      onAbort = () => reject(new Abandoned());
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
    return Promise.race([result, deadline]).finally(() => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    });
  }

  /** Whether a failure poisoned the instance; a trap at the memory cap is remembered as out-of-memory. */
  #poisons(error: unknown, instance: GuestInstance): boolean {
    if (isGuestResultError(error) || error instanceof Diverted) return false;
    if (error instanceof TitanError && !leavesInstanceUnsettled(error)) return false;
    if (error instanceof TitanError) {
      this.#onReplaced(error.message.slice(0, 200));
      return true;
    }
    const timedOut = error instanceof Abandoned || error instanceof Preempted;
    const outOfMemory = !timedOut && atMemoryCap(instance, this.#memoryMb);
    if (outOfMemory && typeof error === 'object' && error !== null) this.#outOfMemory.add(error);
    this.#onReplaced(timedOut ? 'call timed out' : outOfMemory ? 'out of memory' : String((error as Error)?.message ?? error).slice(0, 200));
    return true;
  }

  #translate(error: unknown): TitanError {
    if (error instanceof TitanError) return error;
    if (isGuestResultError(error)) return guestResultError(this.#who, error);
    if (typeof error === 'object' && error !== null && this.#outOfMemory.has(error)) {
      return new TitanError('TITAN_E_OUT_OF_MEMORY', `${this.#who} hit its memory cap of ${this.#memoryMb} MiB (${(error as Error).message})`, {
        cause: error,
      });
    }
    if (error instanceof Abandoned && error.limitMs === undefined)
      return new TitanError('TITAN_E_MESH_CANCELLED', `${this.#who}: its caller cancelled the call`);
    if (error instanceof SliceSpent) {
      const slot = `${this.manifest.kind}/${this.manifest.name}`;
      return new TitanError(
        'TITAN_E_TIMEOUT',
        `${this.#who} held the kernel's thread for more than ${error.limitMs} ms (kernel.inlineSliceMs) and was stopped`,
        {
          fix: `remove ${slot} from kernel.inlineGrants in config.json: it then runs in a worker under its own time limit (limits.timeoutMs); raising kernel.inlineSliceMs instead makes every other call wait that long too`,
        },
      );
    }
    if (error instanceof Abandoned || error instanceof Preempted) {
      return new TitanError('TITAN_E_TIMEOUT', `${this.#who} did not answer within ${error.limitMs} ms`);
    }
    return trapError(this.#who, error);
  }

  async exports(fn: string): Promise<boolean> {
    return this.#pool.use(
      (instance) => guestFunction(instance, fn) !== undefined,
      () => false,
    );
  }

  async warm(instances: number): Promise<void> {
    await this.#pool.warm(instances);
    // V8 compiles a guest's wasm as it first runs (a QuickJS guest's first call: 2-30 ms, more on a
    // busy machine); a granted component pays that at deploy, under its slice, not in its first call.
    // A describe() that fails here only drops its instance; the first call then gets a fresh one.
    if (this.#watched && !this.#compiled) {
      this.#compiled = true;
      await this.call('describe', []).catch(() => {});
    }
  }

  close(): Promise<void> {
    return this.#pool.drain();
  }

  stats(): PoolStats {
    return this.#pool.stats();
  }
}
