// Sandbox jobs for the rest of Titan: submit, list, show, cancel, follow the log, wait for the end.
// Jobs wait in a queue (persisted: a queued row) and run up to jobs.maxConcurrent at once. At start,
// the jobs a dead Titan left are reconciled with the engine: a container still running is followed
// again, one that ended has its ending recorded, a missing one ends the job as lost, and queued jobs
// are queued again. No job row is ever dropped.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TitanError, isTitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/api.ts';
import type { JobsConfig } from './config.ts';
import { JobContainer } from './container.ts';
import { Engine, HOME_LABEL, JOB_LABEL, homeLabel } from './engine.ts';
import { readLog, type LogChunk } from './log-file.ts';
import { JobRun, type AgentPort } from './runner.ts';
import { SHELL_LABEL, sandboxShell } from './sandbox-shell.ts';
import { jobSpec, toJob } from './spec.ts';
import { SwarmService } from './swarm.ts';
import { ENDINGS, type Job, type JobEvent, type JobRequest, type JobState } from './types.ts';
import type { AgentModel } from './worker-server.ts';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** The token key, made on first use; it never leaves the host. */
async function workerKey(file: string): Promise<Buffer> {
  try {
    const key = await readFile(file);
    if (key.length >= 32) return key;
  } catch {}
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  await writeFile(file, key, { mode: 0o600 });
  return key;
}

function newJobId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `job_${Array.from(bytes, (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}`;
}

export class JobService {
  readonly engine: Engine;
  readonly config: JobsConfig;
  /** Parallel swarms of agent jobs over this service. */
  readonly swarms: SwarmService;
  readonly #kernel: Kernel;
  readonly #root: string;
  readonly #queue: Job[] = [];
  readonly #running = new Map<string, JobRun>();
  readonly #waiters = new Map<string, Array<(job: Job) => void>>();
  #closed = false;
  #model: { model: AgentModel; name: string } | undefined;
  /** Agent jobs' tokens are HMACs of their ids under this key (jobs/worker.key, this user's only). */
  #key: Buffer = Buffer.alloc(0);

  private constructor(kernel: Kernel, config: JobsConfig) {
    this.#kernel = kernel;
    this.config = config;
    this.engine = new Engine(config.dockerSocket, config.docker);
    this.swarms = new SwarmService(this, kernel.paths.home);
    this.#root = path.join(kernel.paths.home, 'jobs');
  }

  /**
   * The service, with the jobs a previous process left reconciled (when the engine answers).
   * `reconcile: false` leaves that to the caller (`titan start` does it once it is ready: listing
   * the engine's containers loads dockerode); jobs submitted meanwhile are not disturbed by it.
   */
  static async start(kernel: Kernel, config: JobsConfig, options: { reconcile?: boolean } = {}): Promise<JobService> {
    const service = new JobService(kernel, config);
    service.#key = await workerKey(path.join(kernel.paths.home, 'jobs', 'worker.key'));
    if (options.reconcile !== false) await service.reconcile();
    return service;
  }

  /** Where a job's own files are: its workspace (when it was given none) and its log. */
  folderOf(id: string): string {
    return path.join(this.#root, id);
  }

  logOf(id: string): string {
    return path.join(this.folderOf(id), 'log.jsonl');
  }

  /** Agent jobs get their model answers from `model` (Titan's LLM); `name` is for a provider configured without one. */
  useModel(model: AgentModel, name = ''): void {
    this.#model = { model, name };
  }

  /** The model agent jobs (and swarms' plans) use, with its name; undefined without a provider. */
  get model(): { model: AgentModel; name: string } | undefined {
    return this.#model;
  }

  /** An agent job's final answer, once its worker completed (undefined before, and for other jobs). */
  async answer(id: string, userId?: string): Promise<string | undefined> {
    await this.get(id, userId);
    try {
      return (JSON.parse(await readFile(path.join(this.folderOf(id), 'answer.json'), 'utf8')) as { answer: string }).answer;
    } catch {
      return undefined;
    }
  }

  /** Queues a job; TITAN_E_DOCKER_UNAVAILABLE (and no job) when the engine does not answer. */
  async submit(userId: string, request: JobRequest): Promise<Job> {
    if (this.#closed) throw new TitanError('TITAN_E_SHUTTING_DOWN', 'Titan is stopping: no new jobs');
    const id = newJobId();
    const spec = jobSpec(request, this.config, path.join(this.folderOf(id), 'workspace'));
    if (spec.mode === 'agent' && !this.#model)
      throw new TitanError('TITAN_E_PROVIDER_NOT_CONFIGURED', 'an agent job gets its model answers through Titan, and this Titan has no model provider');
    await this.engine.ping();
    const row = await this.#kernel.store.op('jobs.create', { id, kind: 'sandbox', userId, payload: JSON.stringify(spec) });
    const job = toJob(row);
    this.#queue.push(job);
    this.#kernel.bus.emit('job.event', { type: 'state', state: 'queued', reason: null, exitCode: null, jobId: id, userId, at: Date.now() });
    this.#pump();
    return job;
  }

  /** Submits a job and resolves with it once it has ended (what routines call). */
  async run(userId: string, request: JobRequest): Promise<Job> {
    const job = await this.submit(userId, request);
    return this.waitFor(job.id);
  }

  /** Resolves with the job once it has ended (at once when it already has). */
  async waitFor(id: string): Promise<Job> {
    const ended = new Promise<Job>((resolve) => {
      const list = this.#waiters.get(id) ?? [];
      list.push(resolve);
      this.#waiters.set(id, list);
    });
    const job = await this.get(id);
    if (ENDINGS.includes(job.state)) {
      this.#settle(job);
      return job;
    }
    return ended;
  }

  /** The job; TITAN_E_NOT_FOUND when there is none, or it belongs to someone else. */
  async get(id: string, userId?: string): Promise<Job> {
    const row = await this.#kernel.store.op('jobs.get', { id });
    if (!row || (userId !== undefined && row.user_id !== userId)) throw new TitanError('TITAN_E_NOT_FOUND', `no job ${id}`);
    return toJob(row);
  }

  async list(userId: string, options: { states?: JobState[]; limit?: number } = {}): Promise<Job[]> {
    return (await this.#kernel.store.op('jobs.list', { userId, ...options })).map(toJob);
  }

  /** Cancels a queued or running job; a finished one is TITAN_E_JOB_STATE. */
  async cancel(id: string, userId?: string, by = 'the user'): Promise<Job> {
    const job = await this.get(id, userId);
    const reason = `cancelled by ${by}`;
    const queued = this.#queue.findIndex((q) => q.id === id);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      const row = await this.#kernel.store.op('jobs.update', { id, to: 'cancelled', reason });
      this.#kernel.bus.emit('job.event', { type: 'state', state: 'cancelled', reason, exitCode: null, jobId: id, userId: job.userId, at: Date.now() });
      this.#settle(toJob(row));
      return toJob(row);
    }
    const run = this.#running.get(id);
    if (!run) throw new TitanError('TITAN_E_JOB_STATE', `job ${id} is ${job.state}: there is nothing to cancel`);
    run.stop('cancelled', reason);
    return run.done;
  }

  /**
   * The job's log from its start, then its live events until it ends. `send` gets the replayed
   * chunks first (as log events), then every later event; the returned function stops following.
   */
  async follow(id: string, userId: string | undefined, send: (event: JobEvent) => void): Promise<() => void> {
    // Listening first: an ending between the read below and a later subscription would be missed.
    const early: JobEvent[] = [];
    let replaying = true;
    const off = this.#kernel.bus.on('job.event', (event) => {
      if (event.jobId !== id) return;
      if (replaying) early.push(event);
      else send(event);
    });
    try {
      const job = await this.get(id, userId);
      // Replay stops where the live events take over (see log-file.ts): a running job's bytes
      // written so far; nothing for a queued one; the whole file for one that has ended (also
      // when it ended just now: its row said running but its run is gone).
      const run = this.#running.get(id);
      const ended = ENDINGS.includes(job.state);
      const end = run ? run.logWritten : job.state === 'queued' ? 0 : undefined;
      const at = Date.now();
      for await (const chunk of readLog(this.logOf(id), end)) send({ type: 'log', ...chunk, offset: -1, jobId: id, userId: job.userId, at });
      replaying = false;
      for (const event of early) {
        if (event.type === 'log' && (end === undefined || event.offset < end)) continue; // replayed from the file
        if (event.type === 'state' && ended) continue; // said below, once
        send(event);
      }
      if (ended) send({ type: 'state', state: job.state, reason: job.reason, exitCode: job.exitCode, jobId: id, userId: job.userId, at });
      else if (end === undefined && !early.some((e) => e.type === 'state' && ENDINGS.includes(e.state))) {
        const now = await this.get(id);
        send({ type: 'state', state: now.state, reason: now.reason, exitCode: now.exitCode, jobId: id, userId: now.userId, at: Date.now() });
      }
    } catch (error) {
      off();
      throw error;
    }
    return off;
  }

  /** The log's chunks as kept on disk. */
  async *logs(id: string, userId?: string): AsyncGenerator<LogChunk> {
    await this.get(id, userId);
    yield* readLog(this.logOf(id));
  }

  /**
   * Makes titan:host/exec (the shell tool) run every command in the sandbox instead of the host;
   * returns the function that stops it. While plugged a command never falls back to the host.
   */
  plugShell(): () => void {
    const services = this.#kernel.services;
    services.sandbox = sandboxShell(this.engine, this.config, this.#kernel.paths.home);
    return () => {
      services.sandbox = undefined;
    };
  }

  /** Jobs running and waiting now. */
  counts(): { running: number; queued: number } {
    return { running: this.#running.size, queued: this.#queue.length };
  }

  #pump(): void {
    while (!this.#closed && this.#running.size < this.config.maxConcurrent && this.#queue.length) {
      this.#launch(this.#queue.shift() as Job);
    }
  }

  #launch(job: Job, existing?: JobContainer): void {
    const folder = this.folderOf(job.id);
    const paths = { log: this.logOf(job.id), run: path.join(folder, 'run'), answer: path.join(folder, 'answer.json') };
    const run = new JobRun(this.#kernel, this.engine, this.config, job, paths, existing, job.spec.mode === 'agent' ? this.#agentPort() : undefined);
    this.#running.set(job.id, run);
    run.done
      .then(
        (ended) => this.#settle(ended),
        (error: unknown) => this.#kernel.bus.emit('kernel.warning', { message: `job ${job.id}: ${String(error)}` }),
      )
      .finally(() => {
        this.#running.delete(job.id);
        this.#pump();
      });
  }

  /** The model as agent runs see it: the one plugged now (a job found after a restart may start before it is). */
  #agentPort(): AgentPort {
    const model: AgentModel = (request, options) => {
      if (!this.#model) throw new TitanError('TITAN_E_PROVIDER_NOT_CONFIGURED', 'agent jobs need a model provider, and this Titan has none');
      return this.#model.model(request, options);
    };
    return { model, modelName: this.#model?.name ?? '', key: this.#key, loopRepeats: this.config.agentLoopRepeats };
  }

  #settle(job: Job): void {
    const waiting = this.#waiters.get(job.id);
    this.#waiters.delete(job.id);
    for (const resolve of waiting ?? []) resolve(job);
  }

  /**
   * Matches the jobs left queued or running with the engine's containers of this Titan home.
   * Without an engine the rows stay as they are (nothing is lost) and a warning says so.
   */
  async reconcile(): Promise<{ resumed: number; requeued: number; lost: number }> {
    const counts = { resumed: 0, requeued: 0, lost: 0 };
    const open = (await this.#kernel.store.op('jobs.list', { states: ['queued', 'running'], limit: 500 })).map(toJob).reverse();
    if (!(await this.engine.available())) {
      if (!open.length) return counts;
      this.#kernel.bus.emit('kernel.warning', { message: `jobs: ${open.length} unfinished jobs wait for the Docker engine at ${this.engine.socket}` });
      return counts;
    }
    const containers = await this.engine.containers([`${HOME_LABEL}=${homeLabel(this.#kernel.paths.home)}`]);
    // A shell command's container a killed Titan left: its caller is gone with that Titan.
    for (const c of containers)
      if (c.Labels[SHELL_LABEL])
        await JobContainer.of(this.engine, c.Id)
          .remove()
          .catch(() => {});
    const byJob = new Map(containers.map((c) => [c.Labels[JOB_LABEL], c.Id]));
    for (const job of open) {
      if (this.#running.has(job.id) || this.#queue.some((q) => q.id === job.id)) continue;
      const containerId = byJob.get(job.id);
      if (job.state === 'queued') {
        this.#queue.push(job);
        counts.requeued++;
      } else if (containerId) {
        this.#launch(job, JobContainer.of(this.engine, containerId));
        counts.resumed++;
      } else {
        const reason = 'TITAN_E_JOB_LOST: Titan stopped while it ran and its container was gone when Titan came back';
        await this.#kernel.store.op('jobs.update', { id: job.id, to: 'failed', reason }).catch((error: unknown) => {
          if (!isTitanError(error, 'TITAN_E_JOB_STATE')) throw error;
        });
        counts.lost++;
      }
    }
    this.#pump();
    return counts;
  }

  /**
   * Stops taking jobs. Running containers are left running (the engine owns them): the next start
   * finds and follows them again.
   */
  async close(): Promise<void> {
    this.#closed = true;
  }
}
