// The store's conversation rows as it returns them: users, threads, turns, messages, tool calls,
// events, approvals, settings, pairings, usage, the schema's status and exported rows; the op table
// in ops.ts names them.
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
