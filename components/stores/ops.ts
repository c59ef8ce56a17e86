// The store operations: every op name titan:store's `request` answers, with its input and its
// result, shared by the store components (through JSDoc) and the kernel's StoreClient.
import type { ReflexSpec } from '../reflexes/runtime.js';

// ---- rows as the store returns them -----------------------------------------------------------

export type User = { id: string; name: string | null; created_at: number };
export type Thread = {
  id: string;
  user_id: string;
  title: string | null;
  channel: string | null;
  external_id: string | null;
  created_at: number;
  updated_at: number;
};
export type TurnState = 'pending' | 'streaming' | 'awaiting_approval' | 'completed' | 'failed' | 'interrupted';
export type Turn = { id: string; thread_id: string; state: TurnState; error: string | null; created_at: number; updated_at: number };
/** The states a turn ends in. */
export type TurnEnding = Extract<TurnState, 'completed' | 'failed' | 'interrupted'>;
export type StaleTurn = Omit<Turn, 'error'>;
/** source: "reflex:<name>@<version>" or "shadow" when the answer came without the model; null otherwise. */
export type StoredMessage = {
  pos: number;
  id: string;
  turn_id: string | null;
  role: string;
  content: string;
  created_at: number;
  source?: string | null;
};
export type NewMessage = { id: string; role: string; content: string; turnId?: string; source?: string; createdAt?: number };
export type ToolCall = {
  id: string;
  turn_id: string;
  tool: string;
  arguments: string;
  status: string;
  result: string | null;
  error: string | null;
  started_at: number | null;
  finished_at: number | null;
};
export type StoredEvent = { seq: number; type: string; data: string; created_at: number };
export type Approval = {
  id: string;
  turn_id: string;
  tool_call_id: string | null;
  summary: string;
  status: 'pending' | 'approved' | 'rejected' | 'expired';
  requested_at: number;
  expires_at: number;
  decided_at: number | null;
  decided_by: string | null;
  reason: string | null;
};
export type Setting = { key: string; value: string; updated_at: number };
export type Pairing = {
  channel: string;
  sender_id: string;
  chat_id: string;
  sender_name: string | null;
  code: string;
  state: 'pending' | 'approved' | 'denied';
  created_at: number;
  decided_at: number | null;
};
export type SchemaStatus = {
  version: number;
  latest: number;
  dialect: string;
  applied: Array<{ version: number; name: string; applied_at: number; additive: number }>;
  pending: Array<{ version: number; name: string }>;
};
/** Counts of what a thread deletion removed. */
export type Removed = { messages: number; turns: number; threads: number };
/** A table's rows as exported: column name to value (a blob as {"$blob": base64}). */
export type TableRow = Record<string, unknown>;

// ---- records the store keeps for the kernel and the agent -------------------------------------

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

// ---- memory (migrations 4 and 10) -----------------------------------------------------------------

export type MemoryKind = 'identity' | 'note' | 'daily' | 'summary' | 'turn' | 'code';
/** '*' owns the workspace's documents; a user id owns what memory derived from that user's threads. */
export type MemoryDocumentInput = {
  id: string;
  userId: string;
  path: string;
  kind: MemoryKind;
  content: string;
  hash?: string;
  threadId?: string;
  turnId?: string;
  summary?: string;
  keywords?: string[];
  createdAt?: number;
  updatedAt?: number;
};
/** embedding: the vector's float32 bytes in base64; vector: the same as pgvector text ("[0.1,...]"), when pgvector serves. */
export type MemoryChunkInput = { id: string; seq: number; text: string; embedding?: string; vector?: string };
export type MemoryDocument = {
  id: string;
  user_id: string;
  path: string;
  kind: MemoryKind;
  hash: string | null;
  thread_id: string | null;
  turn_id: string | null;
  summary: string | null;
  /** JSON array of words. */
  keywords: string | null;
  created_at: number;
  updated_at: number;
  content?: string;
};
export type MemoryChunk = {
  pos: number;
  id: string;
  seq: number;
  text: string;
  document_id: string;
  path: string;
  kind: MemoryKind;
  user_id: string;
  thread_id: string | null;
  turn_id: string | null;
  updated_at: number;
};
/** embedding: float32 bytes as a blob ({"$blob": base64} on the wire, bytes once taken on the host). */
export type MemoryVectorRow = { pos: number; embedding: unknown; document_id: string; path: string; kind: MemoryKind; user_id: string; updated_at: number };
export type MemoryFilters = { userIds?: string[]; kinds?: MemoryKind[]; pathPrefix?: string; since?: number; until?: number };
export type VectorSearch = 'libsql' | 'pgvector' | 'host';
export type MemoryEntity = { id: string; name: string; kind: string };
export type MemoryMention = { entity_id: string; document_id: string; count: number };
export type MemoryRelation = { source: string; target: string; type: string; weight: number; document_id: string };
export type MemoryStatus = {
  documents: Record<string, number>;
  chunks: number;
  entities: number;
  relations: number;
  skipped: number;
  vectorSearch: VectorSearch;
};

// ---- the autonomy control plane (agent/autonomy): what the agent pursues, how, and what happened ----

export type GoalStatus = 'active' | 'paused' | 'failed' | 'completed' | 'cancelled' | 'abandoned' | 'superseded';
export type PlanStatus = 'draft' | 'running' | 'succeeded' | 'failed' | 'superseded' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export type ExecutionStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
/** allowed: ran without asking (the tool needs no approval); asked, then granted or refused by a person. */
export type PolicyVerdict = 'allowed' | 'asked' | 'granted' | 'refused';
export type Goal = {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  status: GoalStatus;
  priority: number;
  thread_id: string | null;
  superseded_by: string | null;
  replans: number;
  replan_budget: number;
  created_at: number;
  updated_at: number;
};
export type Plan = {
  id: string;
  goal_id: string;
  user_id: string;
  version: number;
  status: PlanStatus;
  reason: string | null;
  /** How the plan is checked once its steps ran (JSON: a tool, its arguments, the text to expect); null: the steps' own results. */
  verify: string | null;
  created_at: number;
  updated_at: number;
};
/** spec: the step's JSON (a tool and its arguments, or a prompt for a turn). */
export type PlanStep = {
  id: string;
  plan_id: string;
  user_id: string;
  position: number;
  title: string;
  kind: string;
  spec: string;
  status: StepStatus;
  attempts: number;
  output: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
};
export type NewStep = { id: string; title: string; kind: string; spec: string };
export type Execution = {
  id: string;
  user_id: string;
  goal_id: string;
  plan_id: string;
  step_id: string | null;
  kind: string;
  target: string;
  attempt: number;
  status: ExecutionStatus;
  input: string | null;
  output: string | null;
  error: string | null;
  turn_id: string | null;
  started_at: number;
  finished_at: number | null;
};
export type PolicyDecision = {
  id: string;
  user_id: string;
  goal_id: string;
  plan_id: string;
  step_id: string | null;
  action: string;
  decision: PolicyVerdict;
  decided_by: string;
  reason: string | null;
  approval_id: string | null;
  at: number;
};
export type Verification = {
  id: string;
  user_id: string;
  goal_id: string;
  plan_id: string;
  passed: number;
  method: string;
  summary: string;
  evidence: string;
  at: number;
};
export type Incident = {
  id: string;
  user_id: string;
  goal_id: string;
  plan_id: string | null;
  step_id: string | null;
  severity: 'info' | 'warning' | 'error';
  kind: string;
  message: string;
  at: number;
};
export type GoalSort = 'created' | 'updated' | 'priority' | 'title';
/** A guarded update: `applied` is false when the row was not in the `from` state (it is returned as it is). */
export type Guarded<T> = { row: T; applied: boolean };

// ---- the table ---------------------------------------------------------------------------------

/** An operation that takes nothing. */
type None = Record<string, never>;

/**
 * Name -> input and result of every op. A new op needs its entry here, its read/write class in
 * kernel/store-client.ts (ACCESS) and its handler in the store component: tsc, the components'
 * checkJs and test/stores/ops.test.ts fail until the three agree. The wire stays JSON text.
 */
export type StoreOps = {
  'users.ensure': { input: { id: string; name?: string }; result: User };

  'threads.create': {
    input: { id: string; userId: string; title?: string; channel?: string; externalId?: string };
    result: Thread;
  };
  'threads.get': { input: { userId: string; threadId: string }; result: Thread };
  'threads.list': { input: { userId: string; limit?: number; beforeUpdatedAt?: number }; result: Thread[] };
  'threads.byExternal': { input: { channel: string; externalId: string }; result: Thread | null };
  /** The thread and everything in it, in one transaction. */
  'threads.delete': { input: { userId: string; threadId: string }; result: Removed };
  /** "Clear all chats": every thread of this user, and nothing of anyone else. */
  'threads.clear': { input: { userId: string }; result: Removed };

  'turns.create': { input: { id: string; threadId: string }; result: Turn };
  /** A user's message opens a turn (pending, then streaming) in one transaction. */
  'turns.begin': {
    input: { userId: string; threadId: string; turnId: string; message: { id: string; role: string; content: string } };
    result: { turnId: string; messageId: string; state: 'streaming' };
  };
  'turns.get': { input: { id: string }; result: Turn };
  /** Guarded: a turn only moves from a state the target may follow (else a conflict). */
  'turns.transition': { input: { id: string; to: TurnState; error?: string }; result: Turn };
  /**
   * How a turn ends, in one transaction: its last messages and events are written only while it may
   * still end, then its state moves (else a conflict); tool calls it left running are closed.
   */
  'turns.end': {
    input: {
      threadId: string;
      turnId: string;
      to: TurnEnding;
      error?: string;
      messages?: NewMessage[];
      events?: Array<{ seq: number; type: string; data?: unknown }>;
    };
    result: { turnId: string; state: TurnEnding; messages: number };
  };
  /** Turns left pending or streaming (after a restart: by the process that died), oldest first. */
  'turns.stale': { input: { limit?: number }; result: StaleTurn[] };

  /** Each message once (ids are the idempotency keys); answers when they are committed. */
  'messages.append': {
    input: { threadId: string; messages: NewMessage[]; turnId?: string };
    result: { appended: number; duplicates: number };
  };
  /** The newest `limit` messages (before `beforePos` when paging back), oldest first. */
  'messages.list': { input: { threadId: string; limit?: number; beforePos?: number }; result: StoredMessage[] };

  'toolCalls.upsert': {
    input: {
      id: string;
      turnId: string;
      tool: string;
      arguments?: string;
      status: string;
      result?: string;
      error?: string;
      startedAt?: number;
      finishedAt?: number;
    };
    result: ToolCall;
  };
  'toolCalls.list': { input: { turnId: string }; result: ToolCall[] };

  /** Events of a turn by sequence number (a retried append is not duplicated). */
  'events.append': {
    input: { turnId: string; events: Array<{ seq: number; type: string; data: unknown }> };
    result: { appended: number };
  };
  'events.list': { input: { turnId: string; afterSeq?: number }; result: StoredEvent[] };

  'approvals.create': {
    input: { id: string; turnId: string; toolCallId?: string; summary: string; expiresAt: number };
    result: Approval;
  };
  /** Only a pending, unexpired approval can be decided (else a conflict). */
  'approvals.decide': {
    input: { id: string; decision: 'approved' | 'rejected'; by: string; reason?: string };
    result: Approval;
  };
  'approvals.pending': { input: None; result: Approval[] };
  /** Marks pending approvals past their expiry as expired and returns them. */
  'approvals.expire': { input: { now?: number }; result: Approval[] };

  'settings.get': { input: { userId: string; key: string }; result: Setting | null };
  'settings.set': { input: { userId: string; key: string; value: string }; result: { key: string; value: string } };
  'settings.list': { input: { userId: string }; result: Setting[] };

  'patches.save': { input: { patch: Patch }; result: { saved: string } };
  'patches.list': { input: None; result: Patch[] };

  /** The tables of the schema version the database is at, for export and import. */
  'tables.list': { input: None; result: string[] };
  /** One page of a table's rows, in key order. */
  'table.dump': { input: { table: string; offset?: number; limit?: number }; result: TableRow[] };
  /** Exported rows inserted as they are (keys included), in one transaction. */
  'table.load': { input: { table: string; rows: TableRow[] }; result: { loaded: number } };
  /** Moves PostgreSQL's identity counter past loaded keys. */
  'table.reseed': { input: { table: string }; result: { reseeded: boolean } };
  'table.clear': { input: { table: string }; result: { removed: number } };
  'table.count': { input: { table: string }; result: number };

  /** `claimed` is false when the platform event was seen before (a replay). */
  'channels.event.claim': { input: { channel: string; eventId: string }; result: { claimed: boolean } };
  'channels.pairing.get': { input: { channel: string; senderId: string }; result: Pairing | null };
  /** The sender's pairing, opened (pending, with this code) when there is none yet. */
  'channels.pairing.open': {
    input: { channel: string; senderId: string; chatId: string; senderName?: string; code: string };
    result: Pairing;
  };
  'channels.pairing.list': { input: { state?: Pairing['state'] }; result: Pairing[] };
  'channels.pairing.decide': { input: { code: string; decision: 'approved' | 'denied' }; result: Pairing };
  'channels.cursor.get': { input: { channel: string }; result: { value: string | null } };
  'channels.cursor.set': { input: { channel: string; value: string }; result: { ok: true } };

  'reflexes.list': { input: None; result: ReflexRecord[] };
  /** One record with its counters (the kernel keeps them and writes them back). */
  'reflexes.save': { input: { record: ReflexRecord }; result: { saved: string } };
  /** A fast answer stored and its streaming turn completed, in one transaction (else a conflict). */
  'reflexes.answer': {
    input: { threadId: string; turnId: string; message: { id: string; content: string; source: string } };
    result: { completed: string };
  };
  'reflexes.delete': { input: { id: string }; result: { deleted: string } };
  'reflexes.turns': { input: { limit?: number }; result: ReflexTurns };

  'jobs.create': { input: { id: string; kind: string; userId: string; payload: string; createdAt?: number }; result: JobRow };
  'jobs.get': { input: { id: string }; result: JobRow | null };
  /** Newest first, by owner and states when given. */
  'jobs.list': { input: { userId?: string; states?: JobState[]; limit?: number }; result: JobRow[] };
  /** Guarded: a job only moves forward from a state the target may follow (else a conflict). */
  'jobs.update': {
    input: {
      id: string;
      to: Exclude<JobState, 'queued'>;
      reason?: string;
      exitCode?: number;
      container?: string;
      deadlineAt?: number;
      result?: string;
    };
    result: JobRow;
  };
  /** A document with its chunks replaced (and its part of the graph cleared), in one transaction. */
  'memory.document.put': { input: { document: MemoryDocumentInput; chunks: MemoryChunkInput[] }; result: { id: string; chunks: number } };
  'memory.document.tag': { input: { id: string; summary: string; keywords: string[] }; result: { tagged: boolean } };
  'memory.document.get': { input: { userId: string; path: string }; result: MemoryDocument | null };
  'memory.documents.list': { input: { userIds?: string[]; kind?: MemoryKind; pathPrefix?: string; limit?: number }; result: MemoryDocument[] };
  /** Documents with their chunks, mentions and relations; entities no longer mentioned go too. */
  'memory.documents.delete': { input: { ids: string[] }; result: { documents: number; chunks: number } };
  'memory.turn.source': {
    input: { turnId: string };
    result: Array<{ user_id: string; thread_id: string; role: string; content: string; created_at: number }>;
  };
  'memory.thread.owner': { input: { threadId: string }; result: { userId: string | null } };
  'memory.chunks.get': { input: { positions: number[] }; result: MemoryChunk[] };
  'memory.vectors.page': { input: { afterPos?: number; limit?: number }; result: MemoryVectorRow[] };
  'memory.skipped.set': {
    input: { userId: string; items: Array<{ path: string; reason: string; bytes?: number }>; clear?: string[] };
    result: { skipped: number };
  };
  'memory.skipped.list': { input: { userId?: string }; result: Array<{ path: string; reason: string; bytes: number; at: number }> };
  'memory.meta.get': { input: { key: string }; result: { value: string | null } };
  'memory.meta.set': { input: { key: string; value: string }; result: { key: string; value: string } };
  'memory.status': { input: None; result: MemoryStatus };
  'memory.vectors.prepare': { input: { dimensions?: number }; result: { vectorSearch: VectorSearch } };
  /** Full-text and nearest-vector lists (vector null: no vector search in this database; the host scores). */
  'memory.search': {
    input: MemoryFilters & { text?: string; embedding?: string; vector?: string; limit?: number };
    result: { text: Array<{ pos: number; score: number }>; vector: Array<{ pos: number; distance: number }> | null };
  };
  'memory.graph.put': {
    input: {
      documentId: string;
      entities: Array<MemoryEntity & { count?: number }>;
      relations: Array<{ source: string; target: string; type: string; weight?: number }>;
    };
    result: { entities: number; relations: number };
  };
  'memory.entities.list': { input: None; result: MemoryEntity[] };
  'memory.mentions.list': { input: None; result: MemoryMention[] };
  'memory.relations.list': { input: None; result: MemoryRelation[] };
  'memory.entity.delete': { input: { id: string }; result: { relations: number; entities: number } };

  'routines.list': { input: None; result: RoutineRecord[] };
  'routines.save': { input: { routine: RoutineRecord }; result: { saved: string } };
  /** The routine and its run history. */
  'routines.delete': { input: { id: string }; result: { deleted: string; runs: number } };
  'routineRuns.save': { input: { run: RoutineRun }; result: { saved: string } };
  /** Newest first: one routine's (or every routine's) runs; `open`: only those queued or running. */
  'routineRuns.list': { input: { routineId?: string; limit?: number; open?: boolean }; result: RoutineRun[] };

  'goals.create': {
    input: { id: string; userId: string; title: string; description?: string; priority?: number; threadId?: string; replanBudget?: number };
    result: Goal;
  };
  /** One page of a user's goals (by status when given) and how many match in all. */
  'goals.list': {
    input: { userId: string; status?: GoalStatus[]; sort?: GoalSort; order?: 'asc' | 'desc'; offset?: number; limit?: number };
    result: { goals: Goal[]; total: number };
  };
  /** Another user's goal is not found, exactly like a goal that does not exist. */
  'goals.get': { input: { userId: string; id: string }; result: Goal };
  /** Moves only from `from` (when given): else applied is false and nothing changes. */
  'goals.update': {
    input: {
      userId: string;
      id: string;
      from?: GoalStatus;
      status?: GoalStatus;
      priority?: number;
      supersededBy?: string;
      replanBudget?: number;
    };
    result: Guarded<Goal>;
  };
  /** The goal a turn's thread pursues a plan for: the owner of a turn, for tools that run in it. */
  'goals.turnOwner': { input: { turnId: string }; result: { userId: string; threadId: string } | null };
  /**
   * A new plan version in one transaction: earlier open plans superseded, its steps given or copied
   * from the unfinished steps of `copyFrom`; a plan after the first spends one replan of the goal's
   * budget (`refused` when it is spent, and nothing is written).
   */
  'plans.create': {
    input: { userId: string; goalId: string; id: string; reason?: string; verify?: string; steps?: NewStep[]; copyFrom?: string };
    result: { plan: Plan | null; steps: PlanStep[]; refused?: 'budget' };
  };
  'plans.list': { input: { userId: string; goalId: string }; result: Plan[] };
  'plans.get': { input: { userId: string; id: string }; result: Plan };
  'plans.update': { input: { userId: string; id: string; from?: PlanStatus; status: PlanStatus }; result: Guarded<Plan> };
  'steps.list': { input: { userId: string; planId: string }; result: PlanStep[] };
  'steps.add': { input: { userId: string; planId: string; step: NewStep }; result: PlanStep };
  'steps.get': { input: { userId: string; id: string }; result: PlanStep };
  'steps.update': {
    input: { userId: string; id: string; from?: StepStatus; status: StepStatus; output?: string; error?: string };
    result: Guarded<PlanStep>;
  };
  /** The whole list in one transaction, refused (running: that step's id, nothing changed) while a step runs. */
  'steps.replace': { input: { userId: string; planId: string; steps: NewStep[] }; result: { steps: PlanStep[]; running: string | null } };
  'executions.start': {
    input: { userId: string; id: string; planId: string; stepId?: string; kind: string; target: string; input?: string; turnId?: string };
    result: Execution;
  };
  'executions.finish': {
    input: { userId: string; id: string; status: Exclude<ExecutionStatus, 'running'>; output?: string; error?: string };
    result: Execution;
  };
  'executions.list': { input: { userId: string; planId: string }; result: Execution[] };
  'policy.record': {
    input: {
      userId: string;
      id: string;
      planId: string;
      stepId?: string;
      action: string;
      decision: PolicyVerdict;
      by: string;
      reason?: string;
      approvalId?: string;
    };
    result: PolicyDecision;
  };
  'policy.list': { input: { userId: string; planId: string }; result: PolicyDecision[] };
  'verifications.record': {
    input: { userId: string; id: string; planId: string; passed: boolean; method: string; summary: string; evidence: string };
    result: Verification;
  };
  'verifications.list': { input: { userId: string; planId: string }; result: Verification[] };
  'incidents.record': {
    input: {
      userId: string;
      id: string;
      goalId: string;
      planId?: string;
      stepId?: string;
      severity: Incident['severity'];
      kind: string;
      message: string;
    };
    result: Incident;
  };
  'incidents.list': { input: { userId: string; goalId: string }; result: Incident[] };

  'schema.status': { input: None; result: SchemaStatus };
};

export type StoreOp = keyof StoreOps;
export type OpInput<K extends StoreOp> = StoreOps[K]['input'];
export type OpResult<K extends StoreOp> = StoreOps[K]['result'];

declare const encodedRows: unique symbol;
/** Rows a component answers with as JSON text, or as a host-held handle ({"$rows": n}): never parsed in the guest. */
export type RowsText = string & { readonly [encodedRows]: true };

/** What a store component implements: one handler per op (a list of rows may come back as RowsText). */
export type StoreHandlers = {
  [K in StoreOp]: (input: OpInput<K>) => OpResult<K> | (OpResult<K> extends readonly unknown[] ? RowsText : never);
};
