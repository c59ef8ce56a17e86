// One job's run, from queued to its ending: the image preflight, its container created (labelled
// with the job and the Titan home), started or - after a restart of Titan - found again, its output
// written to the job's log and sent as events, its time limit enforced, and its ending classified
// (succeeded, failed with the reason, cancelled, timed out) and stored before the container goes.
// An agent job also gets its worker protocol: a socket of its own, its token, the model through Titan.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TitanError, isTitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/api.ts';
import type { JobsConfig } from './config.ts';
import { JobContainer, type Ending } from './container.ts';
import { HOME_LABEL, JOB_LABEL, homeLabel, type Engine } from './engine.ts';
import { JobLog } from './log-file.ts';
import { toJob } from './spec.ts';
import type { Job, JobEventBody, JobState } from './types.ts';
import { WorkerServer, jobToken, type AgentModel } from './worker-server.ts';

/** The job's log; for an agent job, the folder of its worker socket and the file its answer is kept in. */
export type RunPaths = { log: string; run: string; answer: string };
/** What an agent job's run needs from the service: the model (Titan's LLM) and the token key. */
export type AgentPort = { model: AgentModel; modelName: string; key: Buffer; loopRepeats: number };
/** The worker, mounted read-only into agent jobs' containers. */
export const WORKER_DIR = fileURLToPath(new URL('./worker', import.meta.url));
/** A longer unfinished line is not an event (its head is dropped). */
const MAX_AGENT_LINE = 1024 * 1024;
type Ended = { state: Exclude<JobState, 'queued' | 'running'>; reason: string | null; exitCode: number | null };
type Stop = { state: 'cancelled' | 'timed_out' | 'failed'; reason: string };

export class JobRun {
  readonly job: Job;
  readonly #kernel: Kernel;
  readonly #engine: Engine;
  readonly #config: JobsConfig;
  readonly #paths: RunPaths;
  #container: JobContainer | undefined;
  #log: JobLog | undefined;
  #stop: Stop | undefined;
  readonly #agent: AgentPort | undefined;
  #worker: WorkerServer | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** A coding-agent job's output line not yet ended. */
  #agentLine = '';
  /** Settles with the job as stored at its end. */
  readonly done: Promise<Job>;

  constructor(kernel: Kernel, engine: Engine, config: JobsConfig, job: Job, paths: RunPaths, existing?: JobContainer, agent?: AgentPort) {
    this.#agent = agent;
    this.#kernel = kernel;
    this.#engine = engine;
    this.#config = config;
    this.job = job;
    this.#paths = paths;
    this.#container = existing;
    this.done = this.#run();
  }

  /** Bytes of the log written so far (where a replay hands over to the live stream). */
  get logWritten(): number {
    return this.#log?.written ?? 0;
  }

  /** Stops the job: it ends cancelled, timed out (or failed: an agent caught looping), its container killed. */
  stop(state: Stop['state'], reason: string): void {
    this.#stop ??= { state, reason };
    void this.#container?.kill().catch(() => {});
  }

  #emit(body: JobEventBody): void {
    this.#kernel.bus.emit('job.event', { ...body, jobId: this.job.id, userId: this.job.userId, at: Date.now() });
  }

  async #run(): Promise<Job> {
    let ended: Ended;
    try {
      ended = await this.#execute();
    } catch (error) {
      const coded = isTitanError(error) ? error : new TitanError('TITAN_E_INTERNAL', String(error));
      ended = this.#stop ? { ...this.#stop, exitCode: null } : { state: 'failed', reason: `${coded.code}: ${coded.message}`, exitCode: null };
    }
    clearTimeout(this.#timer);
    await this.#worker?.close().catch(() => {});
    await this.#log?.close().catch(() => {});
    const row = await this.#kernel.store.op('jobs.update', {
      id: this.job.id,
      to: ended.state,
      reason: ended.reason ?? undefined,
      exitCode: ended.exitCode ?? undefined,
    });
    this.#emit({ type: 'state', state: ended.state, reason: ended.reason, exitCode: ended.exitCode });
    // The row holds the ending: the container has nothing more to tell.
    await this.#container?.remove().catch(() => {});
    return toJob(row);
  }

  async #execute(): Promise<Ended> {
    const { spec } = this.job;
    let deadlineAt = this.job.deadlineAt;
    const agentEnv = spec.mode === 'agent' ? await this.#openWorker() : undefined;
    if (!this.#container) {
      if (this.job.state === 'queued') {
        await this.#kernel.store.op('jobs.update', { id: this.job.id, to: 'running' });
        this.#emit({ type: 'state', state: 'running', reason: null, exitCode: null });
      }
      await this.#engine.ensureImage(spec.image, this.#config.buildImage, agentEnv ? ['--c-runtime'] : []);
      await mkdir(spec.ownWorkspace ? spec.workspace : path.dirname(this.#paths.log), { recursive: true });
      const stopped = this.#stopped();
      if (stopped) return stopped;
      this.#container = await JobContainer.create(this.#engine, `titan-job-${this.job.id}`, {
        ...spec,
        env: { ...spec.env, ...agentEnv?.env },
        readOnly: agentEnv?.readOnly,
        networkMode: this.#config.networkMode,
        labels: { [JOB_LABEL]: this.job.id, [HOME_LABEL]: homeLabel(this.#kernel.paths.home) },
      });
      deadlineAt = Date.now() + spec.timeoutS * 1000;
      await this.#kernel.store.op('jobs.update', { id: this.job.id, to: 'running', container: this.#container.id, deadlineAt });
      const stoppedBeforeStart = this.#stopped();
      if (stoppedBeforeStart) return stoppedBeforeStart;
      await this.#container.start();
    }
    const container = this.#container;
    // A job found again after a restart keeps the deadline it was given.
    const left = (deadlineAt ?? Date.now() + spec.timeoutS * 1000) - Date.now();
    this.#timer = setTimeout(() => this.stop('timed_out', `TITAN_E_JOB_TIMEOUT: it ran past its time limit of ${spec.timeoutS} s`), Math.max(0, left));
    this.#log = await JobLog.create(this.#paths.log, this.#config.logMaxBytes);
    const log = this.#log;
    const pending: Array<Promise<unknown>> = [];
    const followed = container.follow((stream, chunk) => {
      pending.push(
        log.append(stream, chunk).then(({ text, offset }) => {
          if (!text) return;
          this.#emit({ type: 'log', stream, text, offset });
          if (stream === 'stdout' && spec.mode === 'coding-agent') for (const event of this.#agentEvents(text)) this.#emit({ type: 'agent', event });
        }),
      );
    });
    const ending = await container.wait();
    await followed;
    await Promise.all(pending);
    return this.#classify(ending);
  }

  /**
   * An agent job's worker socket, listening before its container starts (and again for a container
   * found after a restart: its folder is what is mounted, so the new socket shows inside), and what
   * the container gets: the job's token and socket in its environment, the worker, Node and the
   * socket folder mounted read-only. No provider key is among them.
   */
  async #openWorker(): Promise<{ env: Record<string, string>; readOnly: string[] }> {
    const agent = this.#agent;
    if (!agent) throw new TitanError('TITAN_E_PROVIDER_NOT_CONFIGURED', 'agent jobs need a model provider, and this Titan has none');
    const { spec } = this.job;
    this.#worker = await WorkerServer.open(this.#paths.run, {
      jobId: this.job.id,
      prompt: spec.prompt ?? '',
      maxSteps: spec.maxSteps ?? this.#config.agentMaxSteps,
      loopRepeats: agent.loopRepeats,
      modelName: agent.modelName,
      key: agent.key,
      model: agent.model,
      completed: existsSync(this.#paths.answer),
      onEvent: (event) => this.#emit({ type: 'agent', event }),
      onFail: (reason) => this.stop('failed', reason),
      onAnswer: async (answer) => {
        await writeFile(this.#paths.answer, JSON.stringify({ answer, at: Date.now() }));
        this.#emit({ type: 'agent', event: { type: 'result', answer } });
      },
    });
    return {
      env: { TITAN_JOB_TOKEN: jobToken(agent.key, this.job.id), TITAN_SOCKET: '/run/titan/worker.sock' },
      readOnly: [`${process.execPath}:/opt/titan/node`, `${WORKER_DIR}:/opt/titan/worker`, `${this.#paths.run}:/run/titan`],
    };
  }

  /** A coding-agent CLI's JSON events, one object a line; other lines are only log. */
  #agentEvents(text: string): Array<Record<string, unknown>> {
    this.#agentLine += text;
    const lines = this.#agentLine.split('\n');
    this.#agentLine = (lines.pop() ?? '').slice(-MAX_AGENT_LINE);
    const events: Array<Record<string, unknown>> = [];
    for (const line of lines) {
      if (!line.trimStart().startsWith('{')) continue;
      try {
        const value: unknown = JSON.parse(line);
        if (value && typeof value === 'object' && !Array.isArray(value)) events.push(value as Record<string, unknown>);
      } catch {
        // not an event: it stays in the log
      }
    }
    return events;
  }

  /** How the job ends when it was stopped before its container ran (a method: read after each await). */
  #stopped(): Ended | undefined {
    return this.#stop && { ...this.#stop, exitCode: null };
  }

  #classify(ending: Ending): Ended {
    if (this.#stop) return { ...this.#stop, exitCode: ending.exitCode };
    if (ending.oomKilled)
      return { state: 'failed', reason: `TITAN_E_JOB_OOM: killed by its memory limit of ${this.job.spec.memoryMb} MB`, exitCode: ending.exitCode };
    if (ending.exitCode === 0 && this.#worker && !this.#worker.completed)
      return { state: 'failed', reason: 'TITAN_E_JOB_AGENT: the worker ended without completing with an answer', exitCode: 0 };
    if (ending.exitCode === 0) return { state: 'succeeded', reason: null, exitCode: 0 };
    return { state: 'failed', reason: `TITAN_E_JOB_EXIT: the command exited with code ${ending.exitCode}`, exitCode: ending.exitCode };
  }
}
