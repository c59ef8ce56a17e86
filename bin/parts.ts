// Start-up as a list of parts (Fastify's register/onClose, without the framework): each part names
// what it needs; start() runs them in dependency order, close() closes the started ones in reverse,
// and a part that fails to start closes everything started before it, in reverse, then rethrows.
import { TitanError } from '../common/errors.ts';

export type Part = {
  name: string;
  /** Parts that must have started first (and close after this one). */
  needs?: string[];
  start(): Promise<void>;
  close?(): Promise<void>;
  /** Once this part has started Titan answers as ready; the parts started after it are listed "after ready". */
  ready?: boolean;
};

/**
 * What one part's start cost: its time, the main thread's CPU time in it (the part of its time a
 * busy machine does not inflate by making it wait), and the process's resident memory once it had started.
 */
export type PartTiming = { name: string; ms: number; cpuMs: number; rssMb: number; afterReady: boolean };

/** The main thread's CPU time so far (ms). */
export function threadCpuMs(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

/** What bin/titan.js recorded as its first statement: the time (performance.now()) and main-thread CPU Node's own start took. */
export type NodeStart = { ms: number; cpuMs?: number };

/** Node's own start-up before Titan's code ran, when this process was started by bin/titan.js. */
export function nodeStart(): NodeStart | undefined {
  return (globalThis as Record<symbol, NodeStart | undefined>)[Symbol.for('titan.entered')];
}

export class Parts {
  readonly #parts = new Map<string, Part>();
  readonly #started: Part[] = [];
  /** Each started part's cost, in start order (what `titan start` prints as its phases). */
  readonly timings: PartTiming[] = [];
  readonly #report: (part: string, error: unknown) => void;
  /** A part marked `ready` has started: the ones starting now start after ready. */
  #ready = false;

  /** `report`: told of a close that failed while closing after a failed start (the start error wins). */
  constructor(report: (part: string, error: unknown) => void = () => {}) {
    this.#report = report;
  }

  add(part: Part): this {
    if (this.#parts.has(part.name)) throw new TitanError('TITAN_E_USAGE', `the part "${part.name}" is registered twice`);
    this.#parts.set(part.name, part);
    return this;
  }

  /** Dependency order; among parts free to go, the order they were added in. */
  order(): Part[] {
    const ordered: Part[] = [];
    const placed = new Set<string>();
    const visiting = new Set<string>();
    const visit = (part: Part, path: string[]) => {
      if (placed.has(part.name)) return;
      if (visiting.has(part.name)) throw new TitanError('TITAN_E_USAGE', `the parts depend on each other in a circle: ${[...path, part.name].join(' -> ')}`);
      visiting.add(part.name);
      for (const need of part.needs ?? []) {
        const dependency = this.#parts.get(need);
        if (!dependency) throw new TitanError('TITAN_E_USAGE', `the part "${part.name}" needs "${need}", which is not registered`);
        visit(dependency, [...path, part.name]);
      }
      visiting.delete(part.name);
      placed.add(part.name);
      ordered.push(part);
    };
    for (const part of this.#parts.values()) visit(part, []);
    return ordered;
  }

  async start(): Promise<void> {
    for (const part of this.order()) {
      // After ready, requests come first: the store answers in promise callbacks, so a part's start
      // can run without ever letting the event loop accept a connection; each one waits its turn.
      if (this.#ready) await new Promise((resolve) => setImmediate(resolve));
      const began = performance.now();
      const cpuBefore = threadCpuMs();
      try {
        await part.start();
      } catch (error) {
        for (const started of this.#started.splice(0).reverse()) {
          await started.close?.().catch((closeError: unknown) => this.#report(started.name, closeError));
        }
        throw error;
      }
      this.#started.push(part);
      this.timings.push({
        name: part.name,
        ms: performance.now() - began,
        cpuMs: threadCpuMs() - cpuBefore,
        rssMb: process.memoryUsage.rss() / 2 ** 20,
        afterReady: this.#ready,
      });
      if (part.ready) this.#ready = true;
    }
  }

  /** Closes the started parts, last started first; every one is closed even if one fails (the first failure is rethrown). */
  async close(): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (const part of this.#started.splice(0).reverse()) {
      try {
        await part.close?.();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}

/**
 * "node 40, modules 150, kernel 40, ...; after ready (at 290): memory 28, ...": the phases, split where
 * Titan became ready; `node` (the part of `loaded` Node's own start took) is listed apart when known.
 */
function phaseList(loaded: number, node: number | undefined, timings: readonly PartTiming[], value: (t: PartTiming) => number): string {
  const list = (phases: (readonly [string, number])[]) => phases.map(([name, ms]) => `${name} ${Math.round(ms)}`).join(', ');
  const before = timings.filter((t) => !t.afterReady);
  const after = timings.filter((t) => t.afterReady);
  const loading = node === undefined ? [['modules', loaded] as const] : [['node', node] as const, ['modules', loaded - node] as const];
  const head = list([...loading, ...before.map((t) => [t.name, value(t)] as const)]);
  if (!after.length) return head;
  const ready = loaded + before.reduce((sum, t) => sum + value(t), 0);
  return `${head}; after ready (at ${Math.round(ready)}): ${list(after.map((t) => [t.name, value(t)] as const))}`;
}

/**
 * One line of where a start's time went: "412 ms to serve: node 40, modules 150, kernel 40, ... (RSS 140 MB)",
 * with the parts started after ready (and when ready came) after "; after ready (at N):";
 * `bundled` when the modules came from the start bundle (bin/bundle/); `nodeMs`, the part of
 * `loadedMs` before Titan's code ran (nodeStart()).
 */
export function describeTimings(loadedMs: number, timings: readonly PartTiming[], bundled = false, nodeMs?: number): string {
  const total = loadedMs + timings.reduce((sum, t) => sum + t.ms, 0);
  const rss = timings.at(-1)?.rssMb ?? process.memoryUsage.rss() / 2 ** 20;
  return `serving ${Math.round(total)} ms after the process started: ${phaseList(loadedMs, nodeMs, timings, (t) => t.ms)} (ms; RSS ${Math.round(rss)} MB${bundled ? '; modules from the start bundle' : ''})`;
}

/**
 * The same start in CPU time of the main thread: "start CPU 300 ms (main thread): node 30, modules 100,
 * kernel 8, ..."; `loadedCpuMs` is the CPU the process spent before the first part (Node and the
 * modules), `nodeCpuMs` the part of it before Titan's code ran.
 */
export function describeCpu(loadedCpuMs: number, timings: readonly PartTiming[], nodeCpuMs?: number): string {
  const total = loadedCpuMs + timings.reduce((sum, t) => sum + t.cpuMs, 0);
  return `start CPU ${Math.round(total)} ms (main thread): ${phaseList(loadedCpuMs, nodeCpuMs, timings, (t) => t.cpuMs)}`;
}
