// The kernel's handle on its data: named operations sent to the serving store component, with
// the component's store-error variant turned into Titan's coded errors. Which database sits behind
// the store, and which SQL it speaks, is invisible from here.
import { TitanError, type ErrorCode } from '../common/errors.ts';
import type { ComponentKind } from '../registry/manifest.ts';

type Call = (kind: ComponentKind, name: string, fn: string, args: unknown[]) => Promise<unknown>;
type TakeRows = (handle: number) => Array<Record<string, unknown>> | undefined;

export type Thread = { id: string; user_id: string; title: string | null; channel: string | null; external_id: string | null; created_at: number; updated_at: number };
export type TurnState = 'pending' | 'streaming' | 'awaiting_approval' | 'completed' | 'failed' | 'interrupted';
export type Turn = { id: string; thread_id: string; state: TurnState; error: string | null; created_at: number; updated_at: number };
/** source: "reflex:<name>@<version>" or "shadow" when the answer came without the model; null otherwise. */
export type StoredMessage = { pos: number; id: string; turn_id: string | null; role: string; content: string; created_at: number; source?: string | null };
export type NewMessage = { id: string; role: string; content: string; turnId?: string; source?: string };
export type SchemaStatus = { version: number; latest: number; dialect: string; applied: Array<{ version: number; name: string; applied_at: number }>; pending: Array<{ version: number; name: string }> };

/** Operations that read only; a database outage during one is not a failed write. */
const READS = ['threads.get', 'threads.list', 'threads.byExternal', 'turns.get', 'messages.list', 'toolCalls.list', 'events.list',
  'approvals.pending', 'settings.get', 'settings.list', 'patches.list', 'tables.list', 'table.dump', 'table.count', 'schema.status'];
const WRITES = { has: (op: string) => !READS.includes(op) };

function storeError(op: string, error: TitanError): TitanError {
  const details = error.details as { tag?: string; payload?: { val?: string } } | undefined;
  const text = details?.payload?.val ?? error.message;
  const code: ErrorCode = (() => {
    switch (details?.tag) {
      case 'not-found':
        return 'TITAN_E_NOT_FOUND';
      case 'conflict':
        return op === 'turns.transition' || op === 'turns.end' ? 'TITAN_E_TURN_STATE' : 'TITAN_E_SQL_CONSTRAINT';
      case 'invalid':
        return 'TITAN_E_USAGE';
      case 'database':
        if (/no such table|does not exist|no such column/i.test(text)) return 'TITAN_E_SCHEMA_MISSING';
        if (/connection/i.test(text)) return WRITES.has(op) ? 'TITAN_E_WRITE_FAILED' : 'TITAN_E_DB_UNAVAILABLE';
        return 'TITAN_E_SQL';
      default:
        return 'TITAN_E_STORE';
    }
  })();
  return new TitanError(code, `${op}: ${text}`, { details: error.details });
}

export class StoreClient {
  readonly #call: Call;
  readonly #takeRows: TakeRows;
  readonly name: string;

  constructor(call: Call, name: string, takeRows: TakeRows) {
    this.#call = call;
    this.#takeRows = takeRows;
    this.name = name;
  }

  async request<T>(op: string, input: unknown = {}): Promise<T> {
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
      return rows as T;
    }
    return JSON.parse(text) as T;
  }

  status = () => this.request<SchemaStatus>('schema.status');
  createThread = (input: { id: string; userId: string; title?: string; channel?: string; externalId?: string }) => this.request<Thread>('threads.create', input);
  listThreads = (input: { userId: string; limit?: number; beforeUpdatedAt?: number }) => this.request<Thread[]>('threads.list', input);
  deleteThread = (userId: string, threadId: string) => this.request<{ messages: number; turns: number; threads: number }>('threads.delete', { userId, threadId });
  clearThreads = (userId: string) => this.request<{ messages: number; turns: number; threads: number }>('threads.clear', { userId });
  createTurn = (id: string, threadId: string) => this.request<Turn>('turns.create', { id, threadId });
  transitionTurn = (id: string, to: TurnState, error?: string) => this.request<Turn>('turns.transition', { id, to, error });
  /** Resolves once the messages are committed: acknowledge to the user only after this. */
  appendMessages = (threadId: string, messages: NewMessage[]) => this.request<{ appended: number; duplicates: number }>('messages.append', { threadId, messages });
  listMessages = (threadId: string, limit = 50, beforePos?: number) => this.request<StoredMessage[]>('messages.list', { threadId, limit, beforePos });
}
