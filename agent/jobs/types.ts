// What a sandbox job is, as callers give it and as Titan shows it, and what it tells the world
// while it runs (one typed event at a time on the kernel's bus).
import type { JobState } from '../../kernel/api.ts';

export type { JobState };

/** How the job's workspace is mounted at /workspace: read-only, writable, or writable with the network. */
export type WorkspacePolicy = 'read-only' | 'workspace-write' | 'full';
export const POLICIES: readonly WorkspacePolicy[] = ['read-only', 'workspace-write', 'full'];
export const ENDINGS: readonly JobState[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];

/** shell: a command; coding-agent: an external coding-agent CLI; agent: Titan's worker, its model calls through Titan. */
export type JobMode = 'shell' | 'coding-agent' | 'agent';
export const MODES: readonly JobMode[] = ['shell', 'coding-agent', 'agent'];

/** A job that is one part of a swarm (agent/jobs/swarm.ts): the Jobs page shows the parts together. */
export type JobGroup = { id: string; part: number; of: number; title: string };

/** A job as submitted: a shell command and, optionally, its limits (the config's defaults otherwise). */
export type JobRequest = {
  /** The shell command; for a coding-agent job, left out (the configured agent command runs). */
  command: string;
  /** "shell" (default); "coding-agent": the configured coding-agent CLI runs with `prompt`; "agent": Titan's worker does `prompt`. */
  mode?: JobMode;
  prompt?: string;
  /** An agent job's most model calls (default jobs.agentMaxSteps). */
  maxSteps?: number;
  group?: JobGroup;
  /** A label for people ("nightly tests"). */
  name?: string;
  /** An existing host folder to mount; default a fresh folder of the job's own. */
  workspace?: string;
  policy?: WorkspacePolicy;
  /** Granted by the caller: without it the container has no network at all. */
  network?: boolean;
  timeoutS?: number;
  memoryMb?: number;
  cpus?: number;
  pids?: number;
  env?: Record<string, string>;
  /** Who or what asked for it ("cli", "web", "routine:<id>"). */
  origin?: string;
};

/** The spec a job runs with once its defaults are filled in (stored as the row's payload). */
export type JobSpec = Required<Omit<JobRequest, 'name' | 'env' | 'origin' | 'prompt' | 'maxSteps' | 'group'>> & {
  prompt: string | null;
  /** An agent job's most model calls (null for the other modes, and in rows older than agent jobs). */
  maxSteps?: number | null;
  group?: JobGroup | null;
  name: string | null;
  env: Record<string, string>;
  origin: string;
  image: string;
  /** The job's own folder lives under $TITAN_HOME/jobs; a folder the caller gave is theirs. */
  ownWorkspace: boolean;
};

/** A job as Titan shows it. */
export type Job = {
  id: string;
  userId: string;
  state: JobState;
  spec: JobSpec;
  /** Why it ended as it did: "CODE: cause" (TITAN_E_JOB_OOM, _TIMEOUT, _EXIT, _LOST...), null when it succeeded. */
  reason: string | null;
  exitCode: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  deadlineAt: number | null;
};

export type JobEventBody =
  | { type: 'log'; stream: 'stdout' | 'stderr'; text: string; offset: number }
  | { type: 'state'; state: JobState; reason: string | null; exitCode: number | null }
  /** A coding-agent job's event (one JSON object its CLI printed on a line of its own), or an agent job's step. */
  | { type: 'agent'; event: Record<string, unknown> };

export type JobEvent = JobEventBody & { jobId: string; userId: string; at: number };

// Job events travel on the kernel's bus; the kernel learns their type here, never by importing the agent.
declare module '../../kernel/events.ts' {
  interface KernelEvents {
    'job.event': JobEvent;
  }
}
