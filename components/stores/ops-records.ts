// The records the store keeps for the kernel and the agent: patches with their verification and
// canary reports, reflexes, jobs, routines; the op table in ops.ts names them.
import type { ReflexSpec } from '../reflexes/runtime.js';

export type PatchState = 'proposed' | 'approved' | 'rejected' | 'deployed' | 'failed' | 'rolled_back';
export type PatchStep = { state: PatchState; by: string; why: string; at: string };
export type Patch = {
  id: string;
  slot: string;
  kind: string;
  name: string;
  fromVersion?: string;
  toVersion: string;
  toDigest: string;
  state: PatchState;
  history: PatchStep[];
  error?: string;
  /** Where the new version's outputs may differ from the old one's (checked on replay). */
  equivalences?: Equivalence[];
  /** The recorded calls replayed on the old and the new version before approval. */
  verification?: VerificationReport;
  /** Why a patch whose verification failed was approved anyway. */
  override?: string;
  /** How the new version fared on its share of live calls after deploy. */
  canary?: CanaryReport;
};

/** At a JSON path of the output ("items.*.score"; "" the whole output): ignore it, compare lists as sets, or numbers within a tolerance. */
export type Equivalence = { path: string; rule: 'ignore' | 'unordered' | 'approx'; tolerance?: number };
export type Latency = { p50: number; p99: number };
export type ReplayMismatch = { call: number; fn: string; input: string; old: string; new: string; diff: string };
export type VerificationReport = {
  at: string;
  passed: boolean;
  /** Why it failed (empty when it passed); a note when nothing could be compared. */
  reasons: string[];
  note?: string;
  replayed: number;
  matched: number;
  mismatches: ReplayMismatch[];
  old: Latency;
  new: Latency;
  ms: number;
};
export type CanaryReport = {
  share: number;
  stage: 'canary' | 'all' | 'kept' | 'rolled_back';
  calls: number;
  errors: number;
  p50: number;
  p99: number;
  baseline: { calls: number; errors: number; errorRate: number; p50: number; p99: number };
  reason?: string;
  /** From deploy to kept or rolled back. */
  decidedMs?: number;
};

/**
 * building: compiled and guarded in the background; awaiting_approval: its patch waits for a human;
 * serving: the router asks it; suspended: kept, not asked (rejections, a tool's new version, a
 * disagreement with the model, or by hand); discarded: failed to build, its smoke test or its guard.
 */
export type ReflexState = 'building' | 'awaiting_approval' | 'serving' | 'suspended' | 'discarded';
export type ReflexRecord = {
  id: string;
  name: string;
  version: string | null;
  state: ReflexState;
  description: string;
  example: string;
  slots: string[];
  spec: ReflexSpec;
  /** "reflex/<name>@<version>" once published. */
  component: string | null;
  /** The turn ids it was compiled from. */
  provenance: string[];
  /** Why it is suspended or discarded. */
  reason: string | null;
  /** Digest of each tool it calls, when it was compiled: another digest serving suspends it. */
  tools: Record<string, string>;
  centroid: number[];
  hits: number;
  misses: number;
  rejections: number;
  suspensions: number;
  modelCallsAvoided: number;
  createdAt: number;
  updatedAt: number;
};
/** The model's recent completed turns, as rows, for the reflex miner. */
export type ReflexTurns = {
  messages: Array<{ turn_id: string; role: string; content: string }>;
  calls: Array<{ id: string; turn_id: string; tool: string; arguments: string; status: string; result: string | null }>;
};

/** A sandbox job's states: queued, running, then one ending. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
/** A job row as stored (payload: the job's spec as JSON; counts may come back as text from PostgreSQL). */
export type JobRow = {
  id: string;
  kind: string;
  state: JobState;
  payload: string;
  result: string | null;
  user_id: string | null;
  reason: string | null;
  exit_code: number | string | null;
  container: string | null;
  deadline_at: number | string | null;
  created_at: number | string;
  started_at: number | string | null;
  finished_at: number | string | null;
  updated_at: number | string | null;
};

/** What starts a routine besides `titan routine run` (always possible): a schedule, a message, a webhook. */
export type RoutineTrigger =
  | { kind: 'cron'; cron: string }
  /** A message on any channel (or the one named) whose text matches the pattern (a regular expression, case-insensitive). */
  | { kind: 'message'; pattern: string; channel?: string }
  /** POST /hooks/routines/<name> with the routine's secret; only its sha256 is kept. */
  | { kind: 'webhook'; secretHash: string }
  | { kind: 'manual' };
/** What a routine does: a full agent turn, one tool call, or a job through the scheduler. */
export type RoutineAction =
  | { kind: 'prompt'; prompt: string }
  | { kind: 'tool'; tool: string; args: Record<string, unknown> }
  | { kind: 'job'; job: Record<string, unknown> };
export type RoutineRecord = {
  id: string;
  name: string;
  userId: string;
  enabled: boolean;
  trigger: RoutineTrigger;
  action: RoutineAction;
  /** IANA time zone the schedule and the quiet hours are read in. */
  timezone: string;
  /** After downtime: skip the runs missed, or run once for them. */
  missed: 'skip' | 'run_once';
  /** When the previous run still runs: skip this one, queue it, or run both. */
  concurrency: 'skip' | 'queue' | 'allow';
  /** "HH:MM" to "HH:MM" in the routine's time zone (may wrap midnight): scheduled and event runs are skipped. */
  quietHours: { start: string; end: string } | null;
  /** Where a prompt's answer (or a tool's or job's output) goes: "telegram", "telegram:<chat>", "thread:<id>"... */
  deliverTo: string | null;
  /** The thread a prompt routine's turns run in (created on its first run). */
  threadId: string | null;
  nextRunAt: number | null;
  lastRunAt: number | null;
  createdAt: number;
  updatedAt: number;
};
export type RoutineRunOutcome = 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped';
export type RoutineRun = {
  id: string;
  routineId: string;
  trigger: 'cron' | 'message' | 'webhook' | 'manual' | 'missed';
  /** When it was due (the cron time; the event's arrival for the others). */
  scheduledAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  outcome: RoutineRunOutcome;
  output: string | null;
  error: string | null;
};
