// How a person reads a patch and a monitor's proposal in a terminal: `titan kernel` and the
// /kernel commands of the REPL and of `titan chat` print the same lines.
import type { Patch, Proposal } from '../kernel/api.ts';

export const describePatch = (p: Patch) =>
  `${p.id.slice(0, 8)} ${p.slot} ${p.fromVersion ?? '(none)'} -> ${p.toVersion}: ${p.state}${p.error ? ` (${p.error})` : ''}`;

/** The whole of a patch as a person reads it: its change, verification, canary and history. */
export function showPatch(p: Patch): string {
  const lines = [describePatch(p)];
  const v = p.verification;
  if (v) {
    lines.push(`verification: ${v.passed ? 'passed' : 'FAILED'}, ${v.matched} of ${v.replayed} replayed calls matched, in ${v.ms} ms`);
    if (v.replayed) lines.push(`  p50 ${v.old.p50} ms -> ${v.new.p50} ms, p99 ${v.old.p99} ms -> ${v.new.p99} ms (old -> new)`);
    if (v.note) lines.push(`  ${v.note}`);
    for (const reason of v.reasons) lines.push(`  refused: ${reason}`);
    for (const m of v.mismatches) lines.push(`  call ${m.call} ${m.fn}(${m.input}): ${m.diff}`);
  }
  if (p.override) lines.push(`approved over a failed verification: ${p.override}`);
  if (p.equivalences?.length) lines.push(`equivalences: ${p.equivalences.map((e) => `${e.path || '(whole)'}=${e.rule}`).join(', ')}`);
  const c = p.canary;
  if (c) {
    lines.push(`canary: ${c.stage}, ${c.calls} calls (${Math.round(c.share * 100)}% at first), ${c.errors} failed, p50 ${c.p50} ms, p99 ${c.p99} ms`);
    lines.push(`  old version: ${c.baseline.calls} calls, ${c.baseline.errors} failed, p99 ${c.baseline.p99} ms`);
    if (c.reason) lines.push(`  rolled back: ${c.reason}`);
  }
  for (const step of p.history) lines.push(`${step.at} ${step.state} by ${step.by}: ${step.why}`);
  return lines.join('\n');
}

/** A monitor's proposal: what it changes, why (the telemetry), and what became of it. */
export function showProposal(p: Proposal): string {
  const lines = [
    `${p.detectedAt} ${p.slot} ${p.strategy}: ${p.fromVersion} -> ${p.toVersion ?? '(not built)'}: ${p.state}${p.patchId ? ` (patch ${p.patchId.slice(0, 8)})` : ''}`,
  ];
  lines.push(`  why: ${p.reason}`);
  if (p.error) lines.push(`  refused: ${p.error}`);
  const v = p.verification;
  if (v?.replayed) lines.push(`  verified on ${v.replayed} recorded calls: p50 ${v.old.p50} ms -> ${v.new.p50} ms`);
  return lines.join('\n');
}
