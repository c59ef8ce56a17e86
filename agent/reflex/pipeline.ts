// From a mined pattern to a serving reflex: the compile pipeline the reflex service runs in the
// background (generate, build, publish, guard, patch, deploy), and the names and versions it gives.
import { randomUUID } from 'node:crypto';
import type { ReflexSpec } from '../../components/reflexes/runtime.js';
import type { ToolCatalog } from '../loop/tool-catalog.ts';
import type { LlmStream } from '../loop/turn.ts';
import { probeReflex, type ProbeReport } from './probes.ts';
import { warmOnHost } from './router.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { TitanError } from '../../common/errors.ts';
import { compileReflex } from './compiler.ts';
import type { ReflexBuildOffload } from '../ports.ts';
import { guardReflex } from './guard.ts';
import type { MinedPattern, ObservedTurn } from './miner.ts';
import type { ReflexRecord } from './records.ts';
import type { ReflexesConfig } from './config.ts';
import type { ToolReplay } from './tool-replay.ts';

/** Ends the reason of a build that failed on a time limit (a loaded machine): tried again after a pause, support or not (mining.ts). */
export const TIMED_OUT = '(it ran past its time limit: built again after a pause)';

/** What the pipeline needs from the service that runs it. */
export type PipelineDeps = {
  kernel: Kernel;
  config: ReflexesConfig;
  tools?: ToolCatalog;
  /** The model, for counterfactual probes before a reflex serves (none: not probed). */
  llm?: LlmStream;
  /** The guest source of a spec; default the compiler's generator. */
  generate?: (spec: ReflexSpec) => Promise<string>;
  /** Another node that may build reflexes (agent/ports.ts). */
  offload?: ReflexBuildOffload;
  replay: ToolReplay;
  /** Whether another reflex has this name. */
  taken(name: string): boolean;
  save(record: ReflexRecord): Promise<void>;
  log(level: 'info' | 'warn', message: string): void;
  /** A reflex started serving, this many ms after its pattern became eligible. */
  serving(record: ReflexRecord, ms: number): void;
};

/**
 * A mined pattern to a serving reflex: generated, built, published, guarded, proposed as a patch
 * (approved by policy when reflexes.autoApprove is on) and deployed. Whatever fails is discarded with
 * its reason; a recompile that fails leaves the serving version as it was.
 */
export async function compilePattern(
  deps: PipelineDeps,
  pattern: MinedPattern,
  sources: ObservedTurn[],
  existing: ReflexRecord | undefined,
  eligibleAt: number,
): Promise<void> {
  const name = existing?.name ?? reflexName(pattern, deps.taken);
  const version = nextVersion(existing?.version ?? null);
  const spec: ReflexSpec = { ...pattern.spec, name, description: describe(pattern) };
  const record: ReflexRecord = existing ?? {
    id: randomUUID(),
    name,
    version: null,
    state: 'building',
    description: spec.description,
    example: sources[0]?.prompt ?? '',
    slots: spec.slots,
    spec,
    component: null,
    provenance: [],
    reason: null,
    tools: {},
    centroid: [],
    hits: 0,
    misses: 0,
    rejections: 0,
    suspensions: 0,
    modelCallsAvoided: 0,
    createdAt: Date.now(),
    updatedAt: Date.now(),
  };
  const wasServing = existing?.state === 'serving';
  const discard = async (why: string, error?: unknown) => {
    if (error !== undefined && timedOut(error)) why = `${why} ${TIMED_OUT}`;
    deps.log('warn', `reflex ${name}@${version} discarded: ${why}`);
    // A recompile that failed leaves the serving version as it was.
    if (wasServing) return;
    Object.assign(record, { state: 'discarded', reason: why, spec, version, provenance: spec.provenance.turns });
    await deps.save(record);
  };
  for (const tool of pattern.tools) {
    const info = (await deps.tools?.list())?.find((t) => t.name === tool);
    if (info?.needsApproval) return discard(`it would call ${tool}, which needs approval`);
  }
  if (!wasServing) {
    Object.assign(record, {
      state: 'building',
      spec,
      description: spec.description,
      slots: spec.slots,
      provenance: spec.provenance.turns,
      centroid: [...pattern.centroid],
    });
    await deps.save(record);
  }
  let compiled;
  try {
    const source = deps.generate ? await deps.generate(spec) : undefined;
    compiled = await compileReflex(deps.kernel, spec, version, { timeoutMs: deps.config.timeoutMs, source, offload: deps.offload });
  } catch (error) {
    const titan = error as TitanError;
    return discard(`${titan.code ?? 'TITAN_E_BUILD_FAILED'}: ${titan.message}`, error);
  }
  const probe = await deps.kernel.createDeployment(compiled.manifest);
  let report;
  let probes: ProbeReport | undefined;
  try {
    report = await guardReflex(probe, spec, sources, deps.config.threshold, (callId, results) => deps.replay.add(callId, results));
    if (report.ok && deps.llm && deps.tools && deps.config.probes > 0) {
      probes = await probeReflex(probe, spec, {
        llm: deps.llm,
        tools: await deps.tools.list(),
        count: deps.config.probes,
        threshold: deps.config.threshold,
        invoke: (tool, input) => deps.kernel.call('tool', tool, 'invoke', [input]) as Promise<string>,
      }).catch((error: unknown) => ({ asked: 0, agreed: 0, skipped: `the model could not be asked: ${(error as Error).message}` }));
    }
  } catch (error) {
    // A source prompt's match that throws (its time limit on a loaded machine) ends the guard: not deployed.
    report = { ok: false, reasons: [`fails: ${(error as Error).message}`], reproduced: 0, nearMisses: [], refused: 0, error };
  } finally {
    await probe.close();
  }
  if (!report.ok) {
    await deps.kernel.registry.yank({ kind: 'reflex', name, version }, `precision guard: ${report.reasons[0]}`).catch(() => {});
    deps.kernel.loader.forget(compiled.manifest.digest);
    return discard(`precision guard: ${report.reasons.slice(0, 3).join('; ')}`, 'error' in report ? report.error : undefined);
  }
  if (probes?.disagreement) {
    await deps.kernel.registry.yank({ kind: 'reflex', name, version }, `counterfactual probe: ${probes.disagreement}`).catch(() => {});
    deps.kernel.loader.forget(compiled.manifest.digest);
    return discard(`counterfactual probe: ${probes.disagreement}`);
  }
  if (probes)
    deps.log('info', `reflex ${name}@${version}: ${probes.agreed}/${probes.asked} counterfactual probes agreed${probes.skipped ? ` (${probes.skipped})` : ''}`);
  deps.log(
    'info',
    `reflex ${name}@${version} passed its guard: ${report.reproduced} answers reproduced, ${report.refused}/${report.nearMisses.length} near misses refused`,
  );
  Object.assign(record, {
    spec,
    version,
    component: `reflex/${name}@${version}`,
    tools: toolDigests(deps.kernel, spec),
    description: spec.description,
    provenance: spec.provenance.turns,
    centroid: [...pattern.centroid],
  });
  const patch = await deps.kernel.proposePatch(
    { kind: 'reflex', name, range: version },
    { by: 'reflex-compiler', why: `compiled from ${sources.length} turns` },
  );
  let state = patch.state;
  if (state === 'proposed' && deps.config.autoApprove) {
    state = (await deps.kernel.approvePatch(patch.id, { by: 'policy', why: 'reflexes.autoApprove is on and the precision guard passed' })).state;
  }
  if (state !== 'approved') {
    if (!wasServing) record.state = 'awaiting_approval';
    record.reason = `patch ${patch.id.slice(0, 8)} waits for approval (titan kernel approve ${patch.id.slice(0, 8)})`;
    await deps.save(record);
    return;
  }
  await deployReflex(deps, record, patch.id, eligibleAt);
}

/** Deploys an approved reflex patch; a failed deploy discards the reflex with the reason. */
export async function deployReflex(deps: PipelineDeps, record: ReflexRecord, patchId: string, eligibleAt?: number): Promise<void> {
  try {
    await deps.kernel.deployPatch(patchId, { by: 'reflex-compiler', why: 'precision guard passed' });
  } catch (error) {
    record.state = 'discarded';
    record.reason = `deploy failed: ${(error as Error).message}`;
    await deps.save(record);
    return;
  }
  record.state = 'serving';
  record.reason = null;
  await deps.save(record);
  deps.serving(record, eligibleAt === undefined ? 0 : performance.now() - eligibleAt);
  await warmReflex(deps.kernel, record, !deps.generate);
}

/**
 * One match before a user's request, where requests will be answered: a reflex of the standard
 * generated source (`onHost`) matches and executes on the host (router.ts), so its host copy is
 * made and asked once, and no worker thread is started for it (two threads with an instance each
 * raised a soak's RSS by about 20 MB for good: a thread's memory stays with the process after it
 * exits). Any other reflex gets an instance in every worker thread, then one call through the
 * path a request takes. Pure either way: match runs no tool. Then the tools it calls get their
 * instances (in their worker threads, for isolated ones), without being called: its first answer
 * after a restart found them unloaded, and waited about 200 ms for a thread to start and compile.
 */
export async function warmReflex(kernel: Kernel, record: ReflexRecord, onHost: boolean): Promise<void> {
  if (!kernel.serving('reflex', record.name)) return; // kernel.slot would create an empty slot
  try {
    if (!(onHost && warmOnHost(kernel, record))) {
      await kernel.slot('reflex', record.name).active?.warm(1);
      await kernel.call('reflex', record.name, 'match', [record.example]);
    }
    for (const tool of new Set(record.spec.calls.map((c) => c.tool))) {
      if (kernel.serving('tool', tool)) await kernel.slot('tool', tool).active?.warm(1);
    }
  } catch {
    // a broken one fails its first real call instead, with its error
  }
}

/** The digests of the tools a spec calls, as they serve now: a new version of one suspends the reflex. */
export function toolDigests(kernel: Kernel, spec: ReflexSpec): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const call of spec.calls) {
    const digest = kernel.serving('tool', call.tool)?.digest;
    if (digest) digests[call.tool] = digest;
  }
  return digests;
}

/** reflex-<core words>-<key>; never the name of another reflex (a longer piece of the key, then a counter). */
function reflexName(pattern: MinedPattern, taken: (name: string) => boolean): string {
  const words =
    pattern.spec.core
      .filter((w) => /^[a-z0-9]+$/.test(w))
      .slice(0, 3)
      .join('-') || 'reflex';
  for (const length of [6, 16]) {
    const name = `reflex-${words}-${pattern.key.slice(0, length)}`.slice(0, 60);
    if (!taken(name)) return name;
  }
  let n = 2;
  while (taken(`reflex-${words}-${pattern.key.slice(0, 6)}-${n}`.slice(0, 60))) n++;
  return `reflex-${words}-${pattern.key.slice(0, 6)}-${n}`.slice(0, 60);
}

function nextVersion(current: string | null): string {
  if (!current) return '1.0.0';
  const [major, minor] = current.split('.').map(Number);
  return `${major}.${minor + 1}.0`;
}

function describe(pattern: MinedPattern): string {
  const example = pattern.spec.examples[0]?.prompt ?? '';
  const tools = pattern.tools.length ? ` with ${pattern.tools.join(', ')}` : '';
  return `Answers requests like "${example}"${tools}; compiled from ${pattern.spec.provenance.turns.length} turns.`;
}

/** Whether an error (or one it wraps) is a call stopped at its time limit. */
function timedOut(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === 'TITAN_E_TIMEOUT') return true;
  }
  return false;
}
