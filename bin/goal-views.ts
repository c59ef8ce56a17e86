// What `titan goal|plan|step` print for people: goals, plans with their steps, and the records of
// what ran; and reading a step list from a JSON file. Shared by the three verbs' modules.
import { readFile } from 'node:fs/promises';
import { TitanError } from '../common/errors.ts';
import type { Execution, Goal, Incident, Plan, PolicyDecision, Verification } from '../components/stores/ops.ts';
import { table } from './output.ts';

export type StepView = {
  id: string;
  position: number;
  title: string;
  kind: string;
  status: string;
  attempts: number;
  output: string | null;
  error: string | null;
  spec: unknown;
};
export type PlanView = Omit<Plan, 'verify'> & { verify: { tool: string; expect?: string } | null; steps: StepView[] };
export type GoalDetail = {
  goal: Goal;
  plans: Plan[];
  plan: PlanView | null;
  executions: Execution[];
  policy: PolicyDecision[];
  verifications: Verification[];
  incidents: Incident[];
};

export const when = (ms: number | null | undefined) => (ms ? new Date(Number(ms)).toISOString().replace('T', ' ').slice(0, 19) : '');
const short = (text: string | null | undefined, n = 60) => (text ? (text.length > n ? `${text.slice(0, n - 1)}…` : text).replace(/\s+/g, ' ') : '');

export function goalsTable(goals: Goal[]): string {
  return table(
    goals.map((g) => ({
      id: g.id,
      status: g.status,
      priority: g.priority,
      title: short(g.title, 50),
      replans: `${g.replans}/${g.replan_budget}`,
      updated: when(g.updated_at),
    })),
    ['id', 'status', 'priority', 'title', 'replans', 'updated'],
  );
}

export function stepsTable(steps: StepView[]): string {
  return table(
    steps.map((s) => ({ '#': s.position, id: s.id, status: s.status, kind: s.kind, title: short(s.title, 40), result: short(s.error ?? s.output, 50) })),
    ['#', 'id', 'status', 'kind', 'title', 'result'],
  );
}

export function planText(plan: PlanView): string {
  const check = plan.verify ? `${plan.verify.tool}${plan.verify.expect ? ` must say "${plan.verify.expect}"` : ''}` : 'every step succeeds';
  return [`plan ${plan.id}  v${plan.version}  ${plan.status}${plan.reason ? `  (${plan.reason})` : ''}`, `check: ${check}`, stepsTable(plan.steps)].join('\n');
}

export function executionsTable(executions: Execution[]): string {
  return table(
    executions.map((e) => ({
      kind: e.kind,
      target: e.target,
      attempt: e.attempt,
      status: e.status,
      started: when(e.started_at),
      result: short(e.error ?? e.output, 50),
    })),
    ['kind', 'target', 'attempt', 'status', 'started', 'result'],
  );
}

export function decisionsTable(decisions: PolicyDecision[]): string {
  return table(
    decisions.map((d) => ({ action: d.action, decision: d.decision, by: d.decided_by, reason: short(d.reason, 50), at: when(d.at) })),
    ['action', 'decision', 'by', 'reason', 'at'],
  );
}

export function verificationsText(verifications: Verification[]): string {
  if (verifications.length === 0) return 'not checked yet';
  return verifications.map((v) => `${v.passed ? 'passed' : 'FAILED'}  ${v.method}: ${v.summary}\n  evidence: ${short(v.evidence, 200)}`).join('\n');
}

export function goalText(detail: GoalDetail): string {
  const { goal } = detail;
  return [
    `${goal.id}  ${goal.status}  priority ${goal.priority}  replans ${goal.replans}/${goal.replan_budget}`,
    `goal:  ${goal.title}`,
    ...(goal.description ? [`       ${goal.description}`] : []),
    `plans: ${detail.plans.map((p) => `v${p.version} ${p.status}`).join(', ') || 'none yet (titan plan create)'}`,
    ...(detail.plan ? ['', planText(detail.plan), '', 'executions:', executionsTable(detail.executions), '', 'policy:', decisionsTable(detail.policy)] : []),
    ...(detail.plan ? ['', 'check:', verificationsText(detail.verifications)] : []),
    ...(detail.incidents.length ? ['', 'incidents:', ...detail.incidents.map((i) => `  ${when(i.at)}  ${i.severity}  ${i.kind}: ${i.message}`)] : []),
  ].join('\n');
}

export type RunReport = {
  goalId: string;
  planVersion: number;
  status: string;
  goalStatus: string;
  steps: Array<{ title: string; status: string; output?: string; error?: string }>;
  verification?: { passed: boolean; summary: string };
  replansLeft: number;
};

export function runText(report: RunReport): string {
  return [
    `plan v${report.planVersion} ${report.status}; goal ${report.goalStatus}`,
    ...report.steps.map((s) => `  ${s.status.padEnd(9)} ${s.title}${s.error ? `: ${short(s.error, 100)}` : ''}`),
    ...(report.verification ? [`check: ${report.verification.passed ? 'passed' : 'FAILED'} (${report.verification.summary})`] : []),
    ...(report.status === 'succeeded' ? [] : [`${report.replansLeft} replan(s) left: titan goal replan ${report.goalId}`]),
  ].join('\n');
}

/** A step list from a JSON file: a list of steps, or { steps, verify }. */
export async function readSteps(file: string): Promise<{ steps: unknown[]; verify?: unknown }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new TitanError('TITAN_E_USAGE', `${file} is not a readable JSON file: ${(error as Error).message}`, {
      fix: 'write the steps as JSON: [{"title": "...", "kind": "tool", "tool": "echo", "arguments": {"text": "hi"}}, {"title": "...", "kind": "turn", "prompt": "..."}]',
    });
  }
  if (Array.isArray(parsed)) return { steps: parsed };
  if (parsed && typeof parsed === 'object' && Array.isArray((parsed as { steps?: unknown }).steps)) return parsed as { steps: unknown[]; verify?: unknown };
  throw new TitanError('TITAN_E_USAGE', `${file} holds neither a list of steps nor {"steps": [...]}`);
}

/** A whole number given to a flag, or undefined when the flag is absent. */
export function integer(values: Record<string, unknown>, flag: string, name = flag): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new TitanError('TITAN_E_USAGE', `--${name} takes a whole number (got "${String(raw)}")`);
  return value;
}
