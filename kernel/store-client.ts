// The kernel's handle on its data: named operations sent to the serving store component, with
// the component's store-error variant turned into Titan's coded errors. Which database sits behind
// the store, and which SQL it speaks, is invisible from here.
import { TitanError, type ErrorCode } from '../common/errors.ts';
import type { ComponentKind } from '../registry/manifest.ts';
import type { NewMessage, OpInput, OpResult, StoreOp, TurnState } from '../components/stores/ops.ts';

type Call = (kind: ComponentKind, name: string, fn: string, args: unknown[]) => Promise<unknown>;
type Rows = Array<Record<string, unknown>>;
type TakeRows = (handle: number) => Rows | Promise<Rows> | undefined;

export type {
  Approval,
  JobRow,
  JobState,
  MemoryChunk,
  MemoryDocument,
  MemoryEntity,
  MemoryFilters,
  MemoryKind,
  MemoryStatus,
  MemoryVectorRow,
  VectorSearch,
  NewMessage,
  OpInput,
  OpResult,
  Pairing,
  Patch,
  ReflexRecord,
  SchemaStatus,
  Setting,
  StaleTurn,
  StoredEvent,
  StoredMessage,
  StoreOp,
  StoreOps,
  Thread,
  ToolCall,
  Turn,
  TurnState,
} from '../components/stores/ops.ts';

/** An op's input may be left out when it has no required field. */
type InputArgs<K extends StoreOp> = Record<never, never> extends OpInput<K> ? [input?: OpInput<K>] : [input: OpInput<K>];

/**
 * Every op, read or write: a database outage during a read is not a failed write. A Record over
 * the op table, so an op added there and not here (or the reverse) does not compile.
 */
const ACCESS: Record<StoreOp, 'read' | 'write'> = {
  'users.ensure': 'write',
  'threads.create': 'write',
  'threads.get': 'read',
  'threads.list': 'read',
  'threads.byExternal': 'read',
  'threads.delete': 'write',
  'threads.clear': 'write',
  'turns.create': 'write',
  'turns.begin': 'write',
  'turns.get': 'read',
  'turns.transition': 'write',
  'turns.end': 'write',
  'turns.stale': 'read',
  'messages.append': 'write',
  'messages.list': 'read',
  'toolCalls.upsert': 'write',
  'toolCalls.list': 'read',
  'events.append': 'write',
  'events.list': 'read',
  'approvals.create': 'write',
  'approvals.decide': 'write',
  'approvals.pending': 'read',
  'approvals.expire': 'write',
  'settings.get': 'read',
  'settings.set': 'write',
  'settings.list': 'read',
  'usage.daily': 'read',
  'patches.save': 'write',
  'patches.list': 'read',
  'tables.list': 'read',
  'table.dump': 'read',
  'table.load': 'write',
  'table.reseed': 'write',
  'table.clear': 'write',
  'table.count': 'read',
  'channels.event.claim': 'write',
  'channels.pairing.get': 'read',
  'channels.pairing.open': 'write',
  'channels.pairing.list': 'read',
  'channels.pairing.decide': 'write',
  'channels.cursor.get': 'read',
  'channels.cursor.set': 'write',
  'jobs.create': 'write',
  'jobs.get': 'read',
  'jobs.list': 'read',
  'jobs.update': 'write',
  'reflexes.list': 'read',
  'reflexes.save': 'write',
  'reflexes.answer': 'write',
  'reflexes.delete': 'write',
  'reflexes.recent': 'read',
  'reflexes.messages': 'read',
  'reflexes.calls': 'read',
  'routines.list': 'read',
  'routines.save': 'write',
  'routines.delete': 'write',
  'routineRuns.save': 'write',
  'routineRuns.list': 'read',
  'memory.document.put': 'write',
  'memory.document.tag': 'write',
  'memory.document.get': 'read',
  'memory.documents.list': 'read',
  'memory.documents.delete': 'write',
  'memory.chunks.get': 'read',
  'memory.turn.source': 'read',
  'memory.thread.owner': 'read',
  'memory.vectors.page': 'read',
  'memory.skipped.set': 'write',
  'memory.skipped.list': 'read',
  'memory.meta.get': 'read',
  'memory.meta.set': 'write',
  'memory.status': 'read',
  'memory.vectors.prepare': 'write',
  'memory.graph.put': 'write',
  'memory.entities.list': 'read',
  'memory.mentions.list': 'read',
  'memory.relations.list': 'read',
  'memory.entity.delete': 'write',
  'memory.search': 'read',
  'goals.create': 'write',
  'goals.list': 'read',
  'goals.get': 'read',
  'goals.update': 'write',
  'goals.turnOwner': 'read',
  'plans.create': 'write',
  'plans.list': 'read',
  'plans.get': 'read',
  'plans.update': 'write',
  'steps.list': 'read',
  'steps.add': 'write',
  'steps.get': 'read',
  'steps.update': 'write',
  'steps.replace': 'write',
  'executions.start': 'write',
  'executions.finish': 'write',
  'executions.list': 'read',
  'policy.record': 'write',
  'policy.list': 'read',
  'verifications.record': 'write',
  'verifications.list': 'read',
  'incidents.record': 'write',
  'incidents.list': 'read',
  'schema.status': 'read',
};

/** Every op name in the table, for checks against a store component's dispatch. */
export const STORE_OPS = Object.keys(ACCESS) as StoreOp[];

function storeError(op: string, error: TitanError): TitanError {
  const details = error.details as { tag?: string; payload?: { val?: string } } | undefined;
  const text = details?.payload?.val ?? error.message;
  const code: ErrorCode = (() => {
    switch (details?.tag) {
      case 'not-found':
        return 'TITAN_E_NOT_FOUND';
      case 'conflict':
        if (op === 'jobs.update') return 'TITAN_E_JOB_STATE';
        return op === 'turns.transition' || op === 'turns.end' ? 'TITAN_E_TURN_STATE' : 'TITAN_E_SQL_CONSTRAINT';
      case 'invalid':
        return 'TITAN_E_USAGE';
      case 'database':
        if (/disk full:|database or disk is full/i.test(text)) return 'TITAN_E_DISK_FULL';
        if (/no such table|does not exist|no such column/i.test(text)) return 'TITAN_E_SCHEMA_MISSING';
        if (/connection/i.test(text)) return ACCESS[op as StoreOp] === 'read' ? 'TITAN_E_DB_UNAVAILABLE' : 'TITAN_E_WRITE_FAILED';
        return 'TITAN_E_SQL';
      default:
        return 'TITAN_E_STORE';
    }
  })();
  return new TitanError(code, `${op}: ${text}`, { details: error.details });
}

/**
 * A query the store handed over by handle before it ran (sql query-handle on an asynchronous
 * database) fails here, where its rows are taken: told as a store tells a failed statement.
 */
function failedQuery(error: unknown): TitanError {
  const { tag, message } = error as { tag?: string; message?: string };
  const payload = tag === 'constraint' ? { tag: 'conflict', val: String(message) } : { tag: 'database', val: `${tag ?? 'other'}: ${message ?? String(error)}` };
  return new TitanError('TITAN_E_COMPONENT_ERROR', `${payload.tag}: ${payload.val}`, { details: { tag: payload.tag, payload } });
}

export class StoreClient {
  readonly #call: Call;
  readonly #takeRows: TakeRows;
  readonly name: string;
  /**
   * While set, each operation first lets the event loop take what arrived (connections, requests):
   * an embedded store answers synchronously, so a run of operations (a part starting after ready
   * loading its state) would otherwise hold every request until it ends.
   */
  yielding = false;

  constructor(call: Call, name: string, takeRows: TakeRows) {
    this.#call = call;
    this.#takeRows = takeRows;
    this.name = name;
  }

  /** One operation of the op table: its name picks the input it takes and the result it answers. */
  op<K extends StoreOp>(name: K, ...[input]: InputArgs<K>): Promise<OpResult<K>> {
    return this.#send(name, input ?? {}) as Promise<OpResult<K>>;
  }

  async #send(op: string, input: unknown): Promise<unknown> {
    if (this.yielding) await new Promise((resolve) => setImmediate(resolve));
    let output: unknown;
    try {
      output = await this.#call('store', this.name, 'request', [op, JSON.stringify(input)]);
    } catch (error) {
      if (error instanceof TitanError && error.code === 'TITAN_E_COMPONENT_ERROR') throw storeError(op, error);
      throw error;
    }
    const text = output as string;
    // Rows the store left on the host (query-handle) are taken from there, never parsed.
    const handle = /^\{"\$rows":(\d+)\}$/.exec(text);
    if (handle) {
      const rows = this.#takeRows(Number(handle[1]));
      if (!rows) throw new TitanError('TITAN_E_STORE', `${op}: the store answered with rows that are no longer held`);
      return rows instanceof Promise ? rows.catch((error: unknown) => Promise.reject(storeError(op, failedQuery(error)))) : rows;
    }
    return JSON.parse(text);
  }

  status = () => this.op('schema.status');
  createThread = (input: OpInput<'threads.create'>) => this.op('threads.create', input);
  listThreads = (input: OpInput<'threads.list'>) => this.op('threads.list', input);
  deleteThread = (userId: string, threadId: string) => this.op('threads.delete', { userId, threadId });
  clearThreads = (userId: string) => this.op('threads.clear', { userId });
  createTurn = (id: string, threadId: string) => this.op('turns.create', { id, threadId });
  transitionTurn = (id: string, to: TurnState, error?: string) => this.op('turns.transition', { id, to, error });
  /** Resolves once the messages are committed: acknowledge to the user only after this. */
  appendMessages = (threadId: string, messages: NewMessage[]) => this.op('messages.append', { threadId, messages });
  listMessages = (threadId: string, limit = 50, beforePos?: number) => this.op('messages.list', { threadId, limit, beforePos });
}
