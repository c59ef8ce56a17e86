// The monitor that turns telemetry into patches: every interval (a supervised loop, never on a
// call's path) it reads each serving slot's counted figures, its recorded calls and its instance
// pool, and for a slot that times out, queues, or is slow it proposes a derived version through
// the patch queue: a longer time limit, more instances, a memo for a tool declared pure, or a
// model-written reimplementation. Each proposal is verified like any patch (kernel/verify.ts);
// one that fails is rejected with its report and its version yanked; one that passes waits for
// a person, or, with autoApprovePatches on, is deployed by policy and judged by the canary.
import { randomUUID } from 'node:crypto';
import { TitanError } from '../common/errors.ts';
import type { ComponentKind, PublishedManifest } from '../registry/manifest.ts';
import type { RecordedCall } from './call-recorder.ts';
import { publishDerived } from './derive.ts';
import { stableJson } from './host-tape.ts';
import type { Kernel } from './kernel.ts';
import type { Patch } from './patches.ts';
import { writeFasterVersion, type SourceModel } from './rewrite.ts';
import { sleep } from './supervisor.ts';
import type { VerificationReport } from '../components/stores/ops.ts';

export type OptimiserConfig = {
  /** Run the monitor (`titan start`): it only proposes unless autoApprovePatches is on. */
  optimise: boolean;
  optimiseIntervalMs: number;
  /** Calls a version must have served before its figures count. */
  optimiseMinCalls: number;
  /** A median at or above this (ms) makes a slot slow. */
  optimiseSlowMs: number;
  /** Share of recorded inputs seen more than once for a memo to be worth proposing. */
  optimiseRepeatShare: number;
  /** Ask the model for a faster reimplementation of a slow tool (costs model calls). */
  optimiseRewrite: boolean;
};

export type Strategy = 'timeout' | 'pool' | 'memo' | 'rewrite';

/** One proposal the monitor made, and what became of it. */
export type Proposal = {
  id: string;
  slot: string;
  strategy: Strategy;
  /** The telemetry that triggered it. */
  reason: string;
  fromVersion: string;
  detectedAt: string;
  /** proposing: being built and verified; refused: did not build, failed smoke or verification. */
  state: 'proposing' | 'proposed' | 'refused' | 'deployed' | 'failed';
  toVersion?: string;
  patchId?: string;
  error?: string;
  verification?: VerificationReport;
  /** From detection to a verified version (ms), and to serving when deployed by policy. */
  verifiedMs?: number;
  servingMs?: number;
};

const KEPT = 200;
const POOL_SAMPLES = 10;
const MAX_TIMEOUT_MS = 600_000;
const MAX_INSTANCES = 256;
const MEMO_ENTRIES = 1024;
/** A model that does not answer in this long is given up on; the next pass may ask again. */
const MODEL_TIMEOUT_MS = 120_000;

export class Optimiser {
  readonly #kernel: Kernel;
  readonly #proposals: Proposal[] = [];
  /** slot@version:strategy already tried: the same idea is not proposed twice for one version. */
  readonly #tried = new Set<string>();
  readonly #waiting = new Map<string, number[]>();
  #model: SourceModel | undefined;
  /** The pass under way: a second caller (the CLI's "look now" beside the loop) shares it. */
  #running: Promise<Proposal[]> | undefined;

  constructor(kernel: Kernel) {
    this.#kernel = kernel;
  }

  /** Plugs in the model a reimplementation is asked of; returns the function that unplugs it. */
  useModel(model: SourceModel): () => void {
    this.#model = model;
    return () => {
      if (this.#model === model) this.#model = undefined;
    };
  }

  /** The proposals made since the kernel opened, newest last. */
  list(): Proposal[] {
    return this.#proposals.map((p) => structuredClone(p));
  }

  /** Runs a pass every optimiseIntervalMs until stopped. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.#kernel.config.optimiseIntervalMs, signal);
      if (!signal.aborted) await this.pass(signal);
    }
  }

  /** One look at every serving slot; proposes at most one version per slot. */
  pass(signal: AbortSignal = new AbortController().signal): Promise<Proposal[]> {
    this.#running ??= this.#pass(signal).finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #pass(signal: AbortSignal): Promise<Proposal[]> {
    const made: Proposal[] = [];
    for (const component of this.#kernel.components()) {
      if (!component.version || signal.aborted) continue;
      const manifest = this.#kernel.serving(component.kind, component.name);
      if (!manifest || manifest.kind === 'store' || manifest.kind === 'reflex') continue;
      this.#samplePool(component.slot, component.instances?.waiting ?? 0, component.instances !== null && component.instances.live >= component.instances.max);
      const idea = this.#detect(component.slot, manifest);
      if (!idea) continue;
      this.#tried.add(`${component.slot}@${manifest.version}:${idea.strategy}`);
      made.push(await this.#propose(manifest, idea, signal));
    }
    return made;
  }

  #samplePool(slot: string, waiting: number, full: boolean): void {
    const samples = this.#waiting.get(slot) ?? [];
    samples.push(full ? waiting : 0);
    if (samples.length > POOL_SAMPLES) samples.shift();
    this.#waiting.set(slot, samples);
  }

  /** The first change the slot's telemetry asks for that was not tried on this version yet. */
  #detect(
    slot: string,
    manifest: PublishedManifest,
  ): { strategy: Strategy; reason: string; build: (signal: AbortSignal) => Promise<PublishedManifest> } | undefined {
    const { config, recorder, registry } = this.#kernel;
    const stats = recorder.stats(slot, manifest.version);
    if (stats.calls < config.optimiseMinCalls) return undefined;
    const tried = (s: Strategy) => this.#tried.has(`${slot}@${manifest.version}:${s}`);
    const calls = recorder.calls(slot).filter((c) => c.version === manifest.version && c.fn === 'invoke');
    const timeouts = calls.filter((c) => c.error?.code === 'TITAN_E_TIMEOUT').length;
    if (!tried('timeout') && timeouts >= 3 && timeouts >= calls.length * 0.05) {
      const limit = manifest.limits?.timeoutMs ?? config.defaultTimeoutMs;
      if (limit < MAX_TIMEOUT_MS) {
        const next = Math.min(MAX_TIMEOUT_MS, limit * 2);
        return {
          strategy: 'timeout',
          reason: `${timeouts} of ${calls.length} recorded calls ran past the ${limit} ms time limit: propose ${next} ms`,
          build: () => publishDerived(registry, manifest, { limits: { ...manifest.limits, timeoutMs: next } }),
        };
      }
    }
    const samples = this.#waiting.get(slot) ?? [];
    const queued = samples.filter((w) => w > 0).length;
    if (!tried('pool') && samples.length >= 3 && queued >= Math.ceil(samples.length / 2)) {
      const max = manifest.limits?.maxInstances ?? config.maxInstances;
      if (max < MAX_INSTANCES) {
        const next = Math.min(MAX_INSTANCES, max * 2);
        return {
          strategy: 'pool',
          reason: `calls waited for one of its ${max} instances in ${queued} of the last ${samples.length} looks (up to ${Math.max(...samples)} waiting): propose ${next} instances`,
          build: () => publishDerived(registry, manifest, { limits: { ...manifest.limits, maxInstances: next } }),
        };
      }
    }
    if (stats.p50 < config.optimiseSlowMs) return undefined;
    const slow = `p50 ${stats.p50} ms (p99 ${stats.p99} ms) over ${stats.calls} calls, at or over the ${config.optimiseSlowMs} ms a slow slot starts at`;
    const repeat = repeatShare(calls);
    if (!tried('memo') && manifest.kind === 'tool' && manifest.pure === true && !manifest.memo && calls.length >= 10 && repeat >= config.optimiseRepeatShare) {
      return {
        strategy: 'memo',
        reason: `${slow}; declared pure, and ${Math.round(repeat * 100)}% of ${calls.length} recorded inputs repeat: propose a memo of ${MEMO_ENTRIES} answers`,
        build: () => publishDerived(registry, manifest, { memo: { entries: MEMO_ENTRIES } }),
      };
    }
    const model = this.#model;
    if (!tried('rewrite') && manifest.kind === 'tool' && config.optimiseRewrite && model && calls.length > 0) {
      return {
        strategy: 'rewrite',
        reason: `${slow}: ask the model for a faster reimplementation from its source and ${calls.length} recorded calls`,
        build: (signal) =>
          writeFasterVersion(this.#kernel, model, manifest, calls, stats.p50, AbortSignal.any([signal, AbortSignal.timeout(MODEL_TIMEOUT_MS)])),
      };
    }
    return undefined;
  }

  async #propose(
    base: PublishedManifest,
    idea: { strategy: Strategy; reason: string; build: (signal: AbortSignal) => Promise<PublishedManifest> },
    signal: AbortSignal,
  ): Promise<Proposal> {
    const kernel = this.#kernel;
    const slot = `${base.kind}/${base.name}`;
    const started = performance.now();
    const proposal: Proposal = {
      id: randomUUID(),
      slot,
      strategy: idea.strategy,
      reason: idea.reason,
      fromVersion: base.version,
      detectedAt: new Date().toISOString(),
      state: 'proposing',
    };
    this.#proposals.push(proposal);
    if (this.#proposals.length > KEPT) this.#proposals.shift();
    kernel.bus.emit('optimiser.detected', { id: proposal.id, slot, strategy: idea.strategy, reason: idea.reason });
    const done = (fields: Partial<Proposal>) => {
      Object.assign(proposal, fields);
      kernel.bus.emit('optimiser.proposal', { id: proposal.id, slot, strategy: idea.strategy, state: proposal.state, patchId: proposal.patchId });
      return structuredClone(proposal);
    };
    let version: PublishedManifest;
    try {
      version = await idea.build(signal);
    } catch (error) {
      return done({ state: 'refused', error: describe(error) });
    }
    let patch: Patch;
    try {
      patch = await kernel.proposePatch(
        { kind: base.kind as ComponentKind, name: base.name, range: version.version },
        { by: 'monitor', why: `${idea.strategy}: ${idea.reason}` },
      );
    } catch (error) {
      await this.#yank(version, describe(error));
      return done({ state: 'refused', toVersion: version.version, error: describe(error) });
    }
    const report = patch.verification;
    const verifiedMs = Math.round(performance.now() - started);
    if (!report?.passed) {
      const why = `refused by verification: ${report?.reasons.join('; ') ?? 'no report'}`;
      await kernel.rejectPatch(patch.id, { by: 'monitor', why }).catch(() => {});
      await this.#yank(version, why);
      return done({ state: 'refused', toVersion: version.version, patchId: patch.id, verification: report, error: why, verifiedMs });
    }
    if (patch.state !== 'approved') return done({ state: 'proposed', toVersion: version.version, patchId: patch.id, verification: report, verifiedMs });
    try {
      await kernel.deployPatch(patch.id, { by: 'policy', why: 'autoApprovePatches is on and verification passed' });
    } catch (error) {
      return done({ state: 'failed', toVersion: version.version, patchId: patch.id, verification: report, error: describe(error), verifiedMs });
    }
    const servingMs = Math.round(performance.now() - started);
    return done({ state: 'deployed', toVersion: version.version, patchId: patch.id, verification: report, verifiedMs, servingMs });
  }

  /** A refused derived version leaves the registry's ranges (an exact pin still finds it, with the reason). */
  async #yank(version: PublishedManifest, reason: string): Promise<void> {
    await this.#kernel.registry.yank({ kind: version.kind, name: version.name, version: version.version }, reason.slice(0, 500)).catch(() => {});
  }
}

/** Share of the calls whose input was seen in an earlier call. */
function repeatShare(calls: RecordedCall[]): number {
  if (calls.length === 0) return 0;
  const seen = new Set<string>();
  let repeats = 0;
  for (const call of calls) {
    const key = stableJson(call.args);
    if (seen.has(key)) repeats++;
    else seen.add(key);
  }
  return repeats / calls.length;
}

function describe(error: unknown): string {
  if (error instanceof TitanError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
