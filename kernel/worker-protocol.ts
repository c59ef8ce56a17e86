// Messages between the kernel and the worker threads that run isolated components.
import type { ComponentIdentity, HttpRecord, LogLevel } from '../host-api/index.ts';

export type WorkerImport = { name: string; version: string; spec: string; grant: Record<string, unknown> };

/** A task fn that returns the names of the instance's exported functions instead of calling one. */
export const LIST_EXPORTS = '*exports';

export type WorkerTask = {
  channel: string;
  deploymentId: string;
  dir: string;
  memoryMb: number;
  component: ComponentIdentity;
  imports: WorkerImport[];
  exportInterface: string;
  fn: string;
  args: unknown[];
  callId?: string;
  /** Names this call in the 'started' message, which starts its time limit. */
  taskId: string;
};

export type WorkerOutcome =
  | { kind: 'ok'; value: unknown }
  | { kind: 'guest-error'; payload: unknown }
  | { kind: 'missing'; fn: string }
  | { kind: 'trap'; message: string; outOfMemory?: boolean };

/** Worker -> kernel over the BroadcastChannel. */
export type HostRequest =
  | { type: 'log'; component: ComponentIdentity; level: LogLevel; message: string; fields?: Record<string, string> }
  | { type: 'emit'; component: ComponentIdentity; callId?: string; kind: string; data: string }
  | { type: 'kv'; id: string; op: 'get' | 'set' | 'delete' | 'list'; args: unknown[] }
  /** titan:host/tools from a worker: the kernel runs the tool and answers with a kv-reply of the same id. */
  | { type: 'tool'; id: string; component: ComponentIdentity; callId?: string; name: string; input: string }
  /** titan:host/http: a secret's value to place in a request (answered with a kv-reply). */
  | { type: 'secret'; id: string; name: string }
  | { type: 'http'; component: ComponentIdentity; record: HttpRecord }
  /** The instance is ready and the guest call begins: the time limit counts from here. */
  | { type: 'started'; taskId: string };

/** Kernel -> workers. */
export type HostReply =
  | { type: 'kv-reply'; id: string; value?: unknown; error?: string }
  | { type: 'dispose'; deploymentId: string };
