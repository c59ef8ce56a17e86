// A watcher sub-agent's two sources: a streaming tool call it starts (a long shell command; its
// output arrives as the kernel's component events for the call, and the call is cancelled at the
// line it watches for), or a job already running (its log followed from the start; the job is
// cancelled at that line). Either way the early stop keeps the line that triggered it.
import { randomUUID } from 'node:crypto';
import type { JobService } from '../../jobs/service.ts';
import { ENDINGS } from '../../jobs/types.ts';
import { type JudgeDeps, LineWatch, type Trigger } from './line-watch.ts';
import type { WatchSpec } from './types.ts';

export type WatchDeps = JudgeDeps & {
  invoke(name: string, input: string, callId: string): Promise<string>;
  cancel(callId: string): void;
  /** Calls `listener` with each chunk the call streams (stdout and stderr); returns the unsubscribe. */
  onOutput(callId: string, listener: (text: string) => void): () => void;
  /** The jobs a watcher may follow, when this node runs jobs; and whose they must be. */
  jobs?: Pick<JobService, 'follow' | 'cancel'>;
  userId: string;
};

export type WatchOutcome = { output: string; lines: number; tokens: number; trigger?: Trigger };

const TAIL = 4000;

/** Runs the watched call, or follows the job, to its end or to the early stop; the signal stops watching (a timeout). */
export function watch(spec: WatchSpec, deps: WatchDeps, signal: AbortSignal): Promise<WatchOutcome> {
  return spec.job ? watchJob(spec.job, spec, deps, signal) : watchTool(spec.tool ?? '', spec, deps, signal);
}

async function watchTool(tool: string, spec: WatchSpec, deps: WatchDeps, signal: AbortSignal): Promise<WatchOutcome> {
  const callId = `swarm-watch:${randomUUID()}`;
  const lines = new LineWatch(spec, `the tool "${tool}"`, deps, signal, () => deps.cancel(callId));
  const off = deps.onOutput(callId, (text) => lines.push(text));
  const stop = () => deps.cancel(callId);
  signal.addEventListener('abort', stop, { once: true });
  try {
    const output = await deps.invoke(tool, JSON.stringify(spec.arguments ?? {}), callId);
    lines.close();
    signal.throwIfAborted();
    return { output, lines: lines.lines, tokens: lines.tokens, ...(lines.trigger ? { trigger: lines.trigger } : {}) };
  } finally {
    lines.close();
    off();
    signal.removeEventListener('abort', stop);
  }
}

/** Follows a job of the goal's user; a timeout stops the watching, not the job (the watcher did not start it). */
async function watchJob(jobId: string, spec: WatchSpec, deps: WatchDeps, signal: AbortSignal): Promise<WatchOutcome> {
  const jobs = deps.jobs;
  if (!jobs) throw new Error('this node runs no jobs, so there is no job log to watch');
  let tail = '';
  let ended: (summary: string) => void = () => {};
  const done = new Promise<string>((resolve) => {
    ended = resolve;
  });
  const lines = new LineWatch(spec, `job ${jobId}`, deps, signal, (trigger) => {
    void jobs.cancel(jobId, deps.userId, `a sub-agent that saw: ${trigger.line.slice(0, 200)}`).catch(() => {});
  });
  const off = await jobs
    .follow(jobId, deps.userId, (event) => {
      if (event.type === 'log') {
        tail = (tail + event.text).slice(-TAIL);
        lines.push(event.text);
      } else if (event.type === 'state' && ENDINGS.includes(event.state)) {
        ended(`the job ended ${event.state}${event.reason ? ` (${event.reason})` : ''}`);
      }
    })
    .catch((error: unknown) => {
      lines.close(); // not this user's job, or none: nothing to watch
      throw error;
    });
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => {}); // raced below; after the race nobody waits on it
  try {
    const summary = await Promise.race([done, aborted]);
    lines.close();
    return { output: `${summary}\n${tail}`, lines: lines.lines, tokens: lines.tokens, ...(lines.trigger ? { trigger: lines.trigger } : {}) };
  } finally {
    lines.close();
    off();
  }
}
