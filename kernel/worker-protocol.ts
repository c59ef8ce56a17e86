// Messages between the kernel and the worker threads that run isolated components.
import type { CodeGraphService, ComponentIdentity, HttpRecord, LogLevel } from '../host-api/index.ts';
import type { ChatterCells, ChatterDrops, ChatterRates } from './chatter.ts';
import type { HostAnswer } from './host-tape.ts';

export type SqlOp = 'run' | 'batch' | 'begin' | 'inTransaction' | 'commit' | 'rollback' | 'keep';
export type MemoryOp = 'search' | 'read' | 'write' | 'graph';
export type CodeQuestion = Parameters<CodeGraphService['query']>[0];

export type WorkerImport = { name: string; version: string; spec: string; grant: Record<string, unknown> };

/** A task fn that returns the names of the instance's exported functions instead of calling one. */
export const LIST_EXPORTS = '*exports';

/** What a thread is told once per deployment (isolation-pool.ts), before that deployment's first call on it. */
export type DeploymentBase = {
  channel: string;
  deploymentId: string;
  dir: string;
  memoryMb: number;
  /** The core modules the kernel compiled once for all the deployment's threads (compile-cores.ts
   * compileFolder), sent while it holds them: a thread given them compiles nothing. */
  modules?: ReadonlyMap<string, WebAssembly.Module>;
  /** Longest string the guest may hand out, and the most a result may weigh when sent to the kernel. */
  maxResultBytes: number;
  /** Log lines and events per second the component may send, all its threads together. */
  chatter: ChatterRates;
  /** The kernel's token buckets for this component (shared memory): every thread draws on the same. */
  chatterCells: ChatterCells;
  /** The kernel's database dialect, when it has one open (titan:host/sql is then served over the channel). */
  sqlDialect?: 'sqlite' | 'postgres';
  /** The folder exec and files work in. */
  workspace?: string;
  component: ComponentIdentity;
  imports: WorkerImport[];
  exportInterface: string;
  /** This deployment only replays: its instances are linked to tapes, never to the host. */
  replayOnly?: boolean;
};

/** One call, as sent to the thread that runs it (with `base` when the thread has not been told it yet). */
export type CallMessage = {
  deploymentId: string;
  fn: string;
  args: unknown[];
  callId?: string;
  /** For a component granted mesh on a node that runs one: the peers heard when the call was sent
   * (titan:host/mesh's peers() is synchronous); submit goes over the channel. */
  meshPeers?: Array<{ id: string; load: number; freeSlots: number }>;
  /** Record the call's host answers and send them back with its outcome. */
  record?: boolean;
  /** A replay deployment's instances answer host imports from this tape instead of the host. */
  replay?: HostAnswer[];
  /** Names this call (its nested tool calls, its 'finished' message and its answer carry it). */
  taskId: string;
  /** Shared with the kernel: the worker stores the wall-clock microsecond the guest call began (task-clock.ts). */
  started: BigInt64Array;
  base?: DeploymentBase;
};

export type WorkerTask = DeploymentBase & CallMessage;

/** Thread -> kernel: a call's outcome, or the error its thread hit outside the guest. */
export type ThreadAnswer = { taskId: string; outcome: WorkerOutcome } | { taskId: string; error: string };

/** `said`: the call logged or emitted; its 'finished' message follows them on the channel.
 * `endedAt`: the wall-clock ms the guest call ended (worker-timings.ts). `made`: the call waited for
 * its instance to be made in this thread: whether it compiled the modules itself (not given them by
 * the kernel, nor holding them from an earlier deployment), and what compiling and instantiating cost, ms. */
export type WorkerOutcome = (
  | { kind: 'ok'; value: unknown }
  | { kind: 'guest-error'; payload: unknown }
  | { kind: 'missing'; fn: string }
  /** A coded refusal in the worker (a result over its limit, invalid UTF-8): the instance was dropped. */
  | { kind: 'coded'; code: string; message: string }
  | { kind: 'trap'; message: string; outOfMemory?: boolean }
) & { said?: boolean; tape?: HostAnswer[]; endedAt?: number; made?: MadeInstance };

export type MadeInstance = { compiledHere: boolean; compileMs: number; instantiateMs: number };

/** Worker -> kernel over the BroadcastChannel. */
export type HostRequest =
  | { type: 'log'; component: ComponentIdentity; level: LogLevel; message: string; fields?: Record<string, string> }
  | { type: 'emit'; component: ComponentIdentity; callId?: string; kind: string; data: string }
  | { type: 'kv'; id: string; op: 'get' | 'set' | 'delete' | 'list'; args: unknown[] }
  /** titan:host/sql from a worker, answered with a kv-reply of the same id. */
  | { type: 'sql'; id: string; op: SqlOp; args: unknown[] }
  /** titan:host/tools from a worker: the kernel runs the tool and answers with a kv-reply of the same id. */
  | { type: 'tool'; id: string; component: ComponentIdentity; callId?: string; name: string; input: string; taskId?: string }
  /** titan:host/mesh submit from a worker, answered with a kv-reply of the same id. */
  | { type: 'mesh'; id: string; component: ComponentIdentity; name: string; range: string; input: string; taskId?: string }
  /** titan:host/memory from a worker (checked against the deployment's grant), answered with a kv-reply. */
  | { type: 'memory'; id: string; deploymentId: string; op: MemoryOp; args: string[]; taskId?: string }
  /** titan:host/code-graph from a worker (checked against the deployment's grant), answered with a kv-reply. */
  | { type: 'code-graph'; id: string; deploymentId: string; what: CodeQuestion; target: string; limit: number; taskId?: string }
  /** titan:host/http: a secret's value to place in a request (answered with a kv-reply). */
  | { type: 'secret'; id: string; name: string }
  | { type: 'http'; component: ComponentIdentity; record: HttpRecord }
  /** Chatter dropped by this thread's limiter so far (sent at the first drop, then at most 4 times a second). */
  | { type: 'dropped'; drops: ChatterDrops }
  /** After every log line and event of the call (same channel, so in order), with the drops counted. */
  | { type: 'finished'; taskId: string; drops: ChatterDrops };

/** Kernel -> workers. */
export type HostReply = { type: 'kv-reply'; id: string; value?: unknown; error?: string } | { type: 'dispose'; deploymentId: string };
