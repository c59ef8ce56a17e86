// Differential verification of a patch: the slot's recorded calls replay on the old and the new
// version side by side, each in a worker of its own whose host imports answer from the call's
// recorded tape (a pure tool just runs). Outputs must match, or differ only where the patch
// declares an equivalence; the new version's latency must not regress past the tolerance.
import type { Equivalence, Latency, ReplayMismatch, VerificationReport } from '../components/stores/ops.ts';
import { TitanError } from '../common/errors.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import { percentiles, type RecordedCall } from './call-recorder.ts';
import type { Deployment } from './deployment.ts';
import { stableJson } from './host-tape.ts';
import { clip, compareOutcomes, show, type Outcome } from './output-compare.ts';

export type VerifyDeps = {
  /** A worker deployment whose instances answer host imports from each call's tape. */
  replayDeployment(manifest: PublishedManifest): Promise<Deployment>;
  /** The new version's smoke test (as a swap runs it); throws TITAN_E_SMOKE_FAILED. */
  smoke(manifest: PublishedManifest): Promise<void>;
  /** New p50 may exceed old p50 by this share (0.25: 25%), p99 by twice it; plus a little absolute slack. */
  latencyTolerance: number;
};

/** Below these the two sides are within one worker round trip of each other: noise, not a regression. */
const P50_SLACK_MS = 0.5;
const P99_SLACK_MS = 2;
/** Calls replayed once on each side before timing, so neither pays its first-call costs in the figures. */
const WARM_CALLS = 3;
const SHOWN_MISMATCHES = 20;
/** Under this many calls a median moves with one busy moment of the machine. */
const LATENCY_MIN_CALLS = 20;
/** Under this many calls a p99 is the slowest call: one hiccup, not a tail. */
const P99_MIN_CALLS = 50;

export async function verifyVersions(
  old: PublishedManifest | undefined,
  next: PublishedManifest,
  calls: RecordedCall[],
  equivalences: Equivalence[],
  deps: VerifyDeps,
): Promise<VerificationReport> {
  const started = performance.now();
  const report = (fields: Partial<VerificationReport>): VerificationReport => {
    const reasons = fields.reasons ?? [];
    return {
      at: new Date().toISOString(),
      passed: reasons.length === 0,
      reasons,
      replayed: 0,
      matched: 0,
      mismatches: [],
      old: { p50: 0, p99: 0 },
      new: { p50: 0, p99: 0 },
      ...fields,
      ms: Math.round(performance.now() - started),
    };
  };
  // A reflex's answers are proved by its precision guard on the model's own answers (agent/reflex).
  if (next.kind === 'reflex') return report({ note: 'a reflex is verified by its precision guard, not by replay' });
  try {
    await deps.smoke(next);
  } catch (error) {
    return report({ reasons: [`smoke test: ${describe(error)}`] });
  }
  if (!old) return report({ note: 'the first version of this slot: there is no old version to compare with' });
  if (calls.length === 0) return report({ note: 'no recorded calls of this slot yet: only the smoke test ran' });

  const [oldSide, newSide] = await Promise.all([deps.replayDeployment(old), deps.replayDeployment(next)]);
  try {
    // An instance in every worker thread first: a cold thread's compile is not the version's latency.
    await oldSide.warm(1);
    await newSide.warm(1);
    for (const call of calls.slice(0, WARM_CALLS)) await Promise.all([run(oldSide, call), run(newSide, call)]);
    const oldMs: number[] = [];
    const newMs: number[] = [];
    const mismatches: ReplayMismatch[] = [];
    let matched = 0;
    for (const [index, call] of calls.entries()) {
      const [a, b] = await runPair(oldSide, newSide, call, index);
      oldMs.push(a.ms);
      newMs.push(b.ms);
      const comparison = compareOutcomes(a.outcome, b.outcome, equivalences);
      if (comparison.same) matched++;
      else
        mismatches.push({
          call: call.id,
          fn: call.fn,
          input: clip(stableJson(call.args), 300),
          old: show(a.outcome),
          new: show(b.outcome),
          diff: comparison.diff,
        });
    }
    const reasons: string[] = [];
    if (mismatches.length) reasons.push(`${mismatches.length} of ${calls.length} replayed calls answered differently`);
    const judged = calls.length >= LATENCY_MIN_CALLS;
    let latency = judgeLatency(oldMs, newMs, deps.latencyTolerance, calls.length);
    if (judged && latency.regressions.length) {
      // A regression is timed again before it counts: each call keeps the lower of its two times,
      // so a moment the machine was busy does not fail a version.
      for (const [index, call] of calls.entries()) {
        const [a, b] = await runPair(oldSide, newSide, call, index + 1);
        oldMs[index] = Math.min(oldMs[index], a.ms);
        newMs[index] = Math.min(newMs[index], b.ms);
      }
      latency = judgeLatency(oldMs, newMs, deps.latencyTolerance, calls.length);
    }
    if (judged) reasons.push(...latency.regressions);
    return report({
      reasons,
      ...(judged ? {} : { note: `latency not judged on fewer than ${LATENCY_MIN_CALLS} calls` }),
      replayed: calls.length,
      matched,
      mismatches: mismatches.slice(0, SHOWN_MISMATCHES),
      old: latency.old,
      new: latency.new,
    });
  } finally {
    await Promise.all([oldSide.close(), newSide.close()]);
  }
}

type Replayed = { outcome: Outcome; ms: number };

/** Old then new, or new then old on odd turns, so neither side always runs on the warmer thread or cache. */
async function runPair(oldSide: Deployment, newSide: Deployment, call: RecordedCall, turn: number): Promise<[Replayed, Replayed]> {
  if (turn % 2 === 0) return [await run(oldSide, call), await run(newSide, call)];
  const b = await run(newSide, call);
  return [await run(oldSide, call), b];
}

function judgeLatency(oldMs: number[], newMs: number[], tolerance: number, calls: number): { old: Latency; new: Latency; regressions: string[] } {
  const old = percentiles([...oldMs].sort((x, y) => x - y));
  const next = percentiles([...newMs].sort((x, y) => x - y));
  const regressions: string[] = [];
  if (next.p50 > old.p50 * (1 + tolerance) + P50_SLACK_MS) {
    regressions.push(`p50 regressed: ${next.p50} ms against ${old.p50} ms (allowed ${Math.round(tolerance * 100)}% more)`);
  }
  if (calls >= P99_MIN_CALLS && next.p99 > old.p99 * (1 + 2 * tolerance) + P99_SLACK_MS) {
    regressions.push(`p99 regressed: ${next.p99} ms against ${old.p99} ms (allowed ${Math.round(tolerance * 200)}% more)`);
  }
  return { old, new: next, regressions };
}

async function run(side: Deployment, call: RecordedCall): Promise<Replayed> {
  const started = performance.now();
  try {
    const value = await side.call(call.fn, call.args, { replay: call.host });
    return { outcome: { ok: true, value }, ms: performance.now() - started };
  } catch (error) {
    const ms = performance.now() - started;
    if (error instanceof TitanError) return { outcome: { ok: false, code: error.code, message: error.message }, ms };
    return { outcome: { ok: false, code: 'TITAN_E_INTERNAL', message: describe(error) }, ms };
  }
}

function describe(error: unknown): string {
  if (error instanceof TitanError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
