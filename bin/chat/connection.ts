// `titan chat`'s line to Titan: the running kernel's owner-only control socket, which serves the
// gateway's routes (threads, messages, approvals, interrupts) and the thread's live events as
// Server-Sent Events, the same events the web UI's WebSocket carries. When no Titan runs on this
// $TITAN_HOME, one is started for the chat and stopped when it ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TurnEvent } from '../../agent/api.ts';
import { TitanError } from '../../common/errors.ts';
import { homePaths, titanHome } from '../../common/home.ts';
import { isServing } from '../../gateway/control-socket.ts';
import { runningClient, type Client } from '../client.ts';
import { remoteDesk, type PatchDesk } from '../kernel-commands.ts';
import { events } from '../job-stream.ts';
import { TITAN_ENV, TITAN_FLAGS } from '../node-flags.ts';

export type ThreadSummary = { id: string; title: string | null; updated_at: number };

export type Connection = {
  /** Set when this chat started the Titan it talks to (its log file). */
  readonly startedLog?: string;
  /** Set when this chat started the Titan it talks to (its process id). */
  readonly startedPid?: number;
  threads(): Promise<ThreadSummary[]>;
  newThread(title?: string): Promise<ThreadSummary>;
  send(threadId: string, text: string): Promise<{ turnId: string }>;
  /** The thread's events from now on, until `stop` is called; `ready` once Titan listens (or the stream ended). */
  follow(threadId: string, onEvent: (event: TurnEvent) => void, onEnd: (error?: unknown) => void): { stop(): void; ready: Promise<void> };
  decide(approvalId: string, approved: boolean): Promise<void>;
  interrupt(turnId: string): Promise<void>;
  askModel(turnId: string): Promise<{ turnId: string }>;
  /** The kernel's patch queue, for /kernel. */
  readonly kernel: PatchDesk;
  close(): Promise<void>;
};

const START_WAIT_MS = 60_000;
const TITAN = fileURLToPath(new URL('../titan.js', import.meta.url));

/** Starts `titan start` for this chat (no terminal prompt of its own, its output to a log file) and waits for its control socket. */
async function startTitan(socketPath: string): Promise<{ child: ChildProcess; log: string }> {
  const log = path.join(titanHome(), 'logs', 'chat-started.log');
  await mkdir(path.dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [...TITAN_FLAGS, TITAN, 'start'], { stdio: ['ignore', fd, fd], env: { ...TITAN_ENV, ...process.env } });
  closeSync(fd);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + START_WAIT_MS;
  while (!(await isServing(socketPath))) {
    if (exited !== null) throw new TitanError('TITAN_E_KERNEL_UNREACHABLE', `titan start exited with ${exited} before it answered`, { fix: `read ${log}` });
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new TitanError('TITAN_E_KERNEL_UNREACHABLE', `titan start did not answer within ${START_WAIT_MS / 1000} s`, { fix: `read ${log}` });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, log };
}

/** A connection to the Titan running on $TITAN_HOME; with `start`, one is started when none runs. */
export async function connect(options: { start: boolean }): Promise<Connection> {
  const socketPath = homePaths(titanHome()).controlSocket;
  let started: { child: ChildProcess; log: string } | undefined;
  let client: Client | null = await runningClient();
  if (!client) {
    if (!options.start)
      throw new TitanError('TITAN_E_KERNEL_UNREACHABLE', 'no Titan runs on this $TITAN_HOME', {
        fix: 'run `npx titan start`, or `npx titan chat` without --no-start',
      });
    started = await startTitan(socketPath);
    client = await runningClient();
    if (!client) throw new TitanError('TITAN_E_KERNEL_UNREACHABLE', 'the Titan started for this chat stopped answering');
  }
  const api = client;
  return {
    startedLog: started?.log,
    startedPid: started?.child.pid,
    threads: async () => (await api.request<{ threads: ThreadSummary[] }>('GET', '/api/threads?limit=20')).threads,
    newThread: (title) => api.request<ThreadSummary>('POST', '/api/threads', title ? { title } : {}),
    send: (threadId, text) => api.request<{ turnId: string }>('POST', `/api/threads/${encodeURIComponent(threadId)}/messages`, { text, origin: 'person' }),
    follow(threadId, onEvent, onEnd) {
      let stopped = false;
      const abort = new AbortController();
      let opened!: () => void;
      const ready = new Promise<void>((resolve) => (opened = resolve));
      const stream = events<TurnEvent>({ socketPath }, `/api/threads/${encodeURIComponent(threadId)}/events`, abort.signal, opened);
      void (async () => {
        try {
          for await (const event of stream) {
            if (stopped) break;
            onEvent(event);
          }
          if (!stopped) onEnd();
        } catch (error) {
          if (!stopped) onEnd(error);
        } finally {
          opened();
        }
      })();
      return {
        ready,
        stop() {
          stopped = true;
          abort.abort();
        },
      };
    },
    async decide(approvalId, approved) {
      await api.request('POST', `/api/approvals/${encodeURIComponent(approvalId)}`, { decision: approved ? 'approved' : 'rejected' });
    },
    async interrupt(turnId) {
      await api.request('POST', `/api/turns/${encodeURIComponent(turnId)}/interrupt`);
    },
    kernel: remoteDesk((method, route, body) => api.request(method, route, body)),
    askModel: (turnId) => api.request<{ turnId: string }>('POST', `/api/turns/${encodeURIComponent(turnId)}/ask-model`),
    async close() {
      await api.close();
      if (started) {
        started.child.kill('SIGTERM');
        await new Promise((resolve) => (started?.child.exitCode !== null ? resolve(undefined) : started.child.once('exit', resolve)));
      }
    },
  };
}
