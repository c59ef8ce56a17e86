// A deployed component version: what a slot points at. Two ways to run it behind one shape:
// inline (instances in the kernel's thread, microseconds per call) and worker (instances in a
// worker pool, where a call past its time limit is stopped by terminating the worker).
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

/** A call inline by grant stopped at its slice of the kernel's thread, before its own time limit. */
class SliceSpent extends Preempted {}

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

  constructor(loaded: LoadedComponent, services: HostServices, onReplaced: (reason: string) => void, options: { watched?: boolean; sliceMs?: number } = {}) {
    this.manifest = loaded.manifest;
    this.#watched = options.watched === true && loaded.limits.timeoutMs !== undefined;
    this.#sliceMs = options.sliceMs ?? Infinity;
    this.#who = describeComponent(loaded.manifest);
    this.#timeoutMs = loaded.limits.timeoutMs;
    this.#memoryMb = loaded.memoryMb;
    this.#onReplaced = onReplaced;
    this.#pool = new InstancePool(() => instantiate(loaded, services), loaded.limits.maxInstances ?? DEFAULT_MAX_INSTANCES);
  }

  async call(fn: string, args: unknown[], options: CallOptions = {}): Promise<unknown> {
    try {
      return await this.#pool.use(
        (instance) => this.#invoke(instance, fn, args, options),
        (error, instance) => this.#poisons(error, instance),
      );
    } catch (error) {
      throw this.#translate(error);
    }
  }

  #invoke(instance: GuestInstance, fn: string, args: unknown[], options: CallOptions): unknown {
    const guest = guestFunction(instance, fn);
    if (!guest) throw new TitanError('TITAN_E_NOT_FOUND', `${this.#who} does not export "${fn}"`);
    instance.context.callId = options.callId;
    instance.tape.tape = options.tape;
    if (options.signal?.aborted) throw new Abandoned();
    // A caller's own limit (a peer's task) puts even a built-in's call under the watchdog.
    const limit = Math.min(this.#timeoutMs ?? Infinity, options.limitMs ?? Infinity);
    const watched = this.#watched || options.limitMs !== undefined;
    // Every other call waits while this one runs in the kernel's thread: a granted one gets a slice of it.
    const slice = this.#watched ? Math.min(limit, this.#sliceMs) : limit;
    let result: unknown;
    try {
      result = watched ? runWatched(() => guest(...args), slice) : guest(...args);
    } catch (error) {
      throw error instanceof Preempted && slice < limit ? new SliceSpent(slice) : error;
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
    if (isGuestResultError(error)) return false;
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
      return new TitanError(
        'TITAN_E_TIMEOUT',
        `${this.#who} held the kernel's thread for more than ${error.limitMs} ms (kernel.inlineSliceMs) and was stopped; remove its inline grant to run it in a worker under its own limit, or raise kernel.inlineSliceMs`,
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

  warm(instances: number): Promise<void> {
    return this.#pool.warm(instances);
  }

  close(): Promise<void> {
    return this.#pool.drain();
  }

  stats(): PoolStats {
    return this.#pool.stats();
  }
}
