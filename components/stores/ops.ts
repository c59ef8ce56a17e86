// The store operations: every op name titan:store's `request` answers, with its input and its
// result, shared by the store components (through JSDoc) and the kernel's StoreClient.
import type { Patch, ReflexRecord, ReflexTurns, JobState, JobRow, RoutineRecord, RoutineRun } from './ops-records.ts';
import type {
  MemoryKind,
  MemoryDocumentInput,
  MemoryChunkInput,
  MemoryDocument,
  MemoryChunk,
  MemoryVectorRow,
  MemoryFilters,
  VectorSearch,
  MemoryEntity,
  MemoryMention,
  MemoryRelation,
  MemoryStatus,
} from './ops-memory.ts';
import type {
  GoalStatus,
  PlanStatus,
  StepStatus,
  ExecutionStatus,
  PolicyVerdict,
  Goal,
  Plan,
  PlanStep,
  NewStep,
  Execution,
  PolicyDecision,
  Verification,
  Incident,
  GoalSort,
  Guarded,
} from './ops-autonomy.ts';

export type * from './ops-autonomy.ts';
export type * from './ops-memory.ts';
export type * from './ops-records.ts';

// ---- rows as the store returns them -----------------------------------------------------------

/** One day of model usage: turns by where their answer came from, model requests and tokens. */
export type UsageDay = {
  day: string;
  turns: number;
  model: number;
  reflex: number;
  shadow: number;
  onboarding: number;
  modelRequests: number;
  inputTokens: number;
  outputTokens: number;
};

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
  /**
   * A user's message opens a turn (pending, then streaming) in one transaction. `recent`: also
   * answer the thread's latest messages (at most that many, the new one last), as messages.list
   * would; a store before core 1.10.0 leaves them out.
   */
  'turns.begin': {
    input: { userId: string; threadId: string; turnId: string; message: { id: string; role: string; content: string }; recent?: number };
    result: { turnId: string; messageId: string; state: 'streaming'; recent?: StoredMessage[] };
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

  /** Model usage per day over the last `days` (default 30), days counted `offsetMinutes` east of UTC. */
  'usage.daily': { input: { days?: number; offsetMinutes?: number; now?: number }; result: UsageDay[] };

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
  /** The miner's reads: the latest completed turns the model answered (ids, newest first), then their messages and tool calls. */
  'reflexes.recent': { input: { limit?: number }; result: Array<{ id: string }> };
  'reflexes.messages': { input: { turnIds: string[] }; result: ReflexTurns['messages'] };
  'reflexes.calls': { input: { turnIds: string[] }; result: ReflexTurns['calls'] };

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
  /** index false: the database's vector index is not used (libSQL drops it; PostgreSQL is left as it is). */
  'memory.vectors.prepare': { input: { dimensions?: number; index?: boolean }; result: { vectorSearch: VectorSearch } };
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

declare const encodedAnswer: unique symbol;
/** A whole answer a handler wrote as JSON text itself (rows spliced in unparsed). */
export type AnswerText = string & { readonly [encodedAnswer]: true };

/** What a store component implements: one handler per op (a list of rows may come back as RowsText). */
export type StoreHandlers = {
  [K in StoreOp]: (input: OpInput<K>) => OpResult<K> | AnswerText | (OpResult<K> extends readonly unknown[] ? RowsText : never);
};
