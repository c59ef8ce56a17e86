// The store operations: every op name titan:store's `request` answers, with its input and its
// result, shared by the store components (through JSDoc) and the kernel's StoreClient.
import type { AutonomyOps } from './ops-autonomy.ts';
import type {
  Approval,
  NewMessage,
  Pairing,
  Removed,
  SchemaStatus,
  Setting,
  StaleTurn,
  StoredEvent,
  StoredMessage,
  TableRow,
  Thread,
  ToolCall,
  Turn,
  TurnEnding,
  TurnState,
  UsageDay,
  User,
} from './ops-conversation.ts';
import type { MemoryOps } from './ops-memory.ts';
import type { JobRow, JobState, Patch, ReflexRecord, ReflexTurns, RoutineRecord, RoutineRun } from './ops-records.ts';

export type * from './ops-autonomy.ts';
export type * from './ops-conversation.ts';
export type * from './ops-memory.ts';
export type * from './ops-records.ts';

// ---- the table ---------------------------------------------------------------------------------

/** An operation that takes nothing. */
export type None = Record<string, never>;

/**
 * Name -> input and result of every op. A new op needs its entry in its area's table (below, or
 * MemoryOps in ops-memory.ts, AutonomyOps in ops-autonomy.ts), its read/write class in
 * kernel/store-client.ts (ACCESS) and its handler in the store component: tsc, the components'
 * checkJs and test/stores/ops.test.ts fail until the three agree. The wire stays JSON text.
 */
export type StoreOps = ConversationAndRecordOps & MemoryOps & AutonomyOps;

/** The ops of users, threads, turns, messages, approvals, settings, channels, tables and the kernel's and agent's records. */
type ConversationAndRecordOps = {
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

  'routines.list': { input: None; result: RoutineRecord[] };
  'routines.save': { input: { routine: RoutineRecord }; result: { saved: string } };
  /** The routine and its run history. */
  'routines.delete': { input: { id: string }; result: { deleted: string; runs: number } };
  'routineRuns.save': { input: { run: RoutineRun }; result: { saved: string } };
  /** Newest first: one routine's (or every routine's) runs; `open`: only those queued or running. */
  'routineRuns.list': { input: { routineId?: string; limit?: number; open?: boolean }; result: RoutineRun[] };

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
