// The routines at run time: one timer for the earliest cron run (next runs are computed from the
// stored routine, so a restart resumes the schedule and applies the missed-run policy), message
// and webhook triggers, runs by hand, quiet hours and the concurrency policy, and every run kept
// in the history with when it was due, when it started and ended, and its outcome.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { TitanError } from '../../common/errors.ts';
import type { RoutineRecord, RoutineRun } from '../../components/stores/ops.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Agent, ReceivedMessage } from '../loop/agent.ts';
import type { RoutineDelivery, RoutineJobs } from '../ports.ts';
import { deliver, runAction, type ActionDeps } from './actions.ts';
import { hashSecret, localTimezone, routineFrom, type RoutineInput } from './input.ts';
import { RoutineTool } from './tool.ts';
import { catchUp, inQuietHours, nextFire, parseCron } from './schedule.ts';

/** Time and timers, replaceable so tests move time by hand. `setTimer` answers its cancel. */
export type Clock = { now(): number; setTimer(fn: () => void, ms: number): () => void };

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** A routine as shown: the webhook's secret hash is replaced by the path to call. */
export type RoutineView = Omit<RoutineRecord, 'trigger'> & {
  trigger: Exclude<RoutineRecord['trigger'], { kind: 'webhook' }> | { kind: 'webhook'; path: string };
  running: number;
  queued: number;
};

export type RoutineServiceOptions = {
  kernel: Kernel;
  agent: Agent;
  /** Who owns routines made without a user (the CLI's, the agent tool's from the owner's threads). */
  ownerId: string;
  clock?: Clock;
  delivery?: RoutineDelivery;
  jobs?: RoutineJobs;
  /**
   * A CLI command's own process while no kernel runs: routines are read and changed (and run by
   * hand), but nothing is scheduled, caught up or triggered here; the next `titan start` does that.
   */
  passive?: boolean;
};

/** Timers are re-armed at least this often (far-off runs, and a clock that jumps). */
const MAX_TIMER_MS = 60 * 60 * 1000;
const MAX_OUTPUT = 16 * 1024;
const MAX_EVENT_INPUT = 16 * 1024;

export class RoutineService {
  readonly #kernel: Kernel;
  readonly #agent: Agent;
  readonly #ownerId: string;
  readonly #clock: Clock;
  readonly #deps: ActionDeps;
  readonly #byId = new Map<string, RoutineRecord>();
  /** Runs going now, per routine; and runs waiting their turn (policy queue). */
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, Array<() => void>>();
  /** Each routine's and run's writes in order (a later state never overtaken by an earlier one). */
  readonly #writes = new Map<string, Promise<unknown>>();
  readonly #pending = new Set<Promise<unknown>>();
  #disarm: (() => void) | undefined;
  #offMessage: (() => void) | undefined;
  #closed = false;
  readonly #passive: boolean;

  private constructor(options: RoutineServiceOptions) {
    this.#kernel = options.kernel;
    this.#agent = options.agent;
    this.#ownerId = options.ownerId;
    this.#clock = options.clock ?? systemClock;
    this.#passive = options.passive ?? false;
    this.#deps = {
      kernel: options.kernel,
      agent: options.agent,
      delivery: options.delivery,
      jobs: options.jobs,
      saveThread: async (routine, threadId) => {
        routine.threadId = threadId;
        await this.#persist(routine);
      },
    };
  }

  /** Loads the stored routines, settles runs a dead process left open, applies the missed-run policy, arms the timer. */
  static async start(options: RoutineServiceOptions): Promise<RoutineService> {
    const service = new RoutineService(options);
    await service.#load();
    return service;
  }

  #tool: RoutineTool | undefined;

  /** The `routine` tool for the agent (one per service). */
  tool(): RoutineTool {
    this.#tool ??= new RoutineTool(this, this.#agent);
    return this.#tool;
  }

  get ownerId(): string {
    return this.#ownerId;
  }

  async #load(): Promise<void> {
    const store = this.#kernel.store;
    for (const routine of await store.op('routines.list')) this.#byId.set(routine.id, routine);
    if (this.#passive) return;
    const now = this.#clock.now();
    for (const run of await store.op('routineRuns.list', { open: true, limit: 1000 })) {
      await store.op('routineRuns.save', {
        run: { ...run, outcome: 'failed', finishedAt: now, error: 'TITAN_E_SHUTTING_DOWN: Titan stopped while this run was going' },
      });
    }
    for (const routine of this.#byId.values()) {
      if (!routine.enabled || routine.trigger.kind !== 'cron') continue;
      const { missed, run, next } = catchUp(routine, now);
      routine.nextRunAt = next;
      await this.#persist(routine);
      if (missed === null) continue;
      if (run) this.#track(this.#begin(routine, 'missed', missed).done);
      else
        await this.#record({
          ...this.#newRun(routine, 'missed', missed),
          outcome: 'skipped',
          finishedAt: now,
          error: 'missed while Titan was down (missed-run policy: skip)',
        });
    }
    this.#offMessage = this.#agent.onMessage((message) => this.#onMessage(message));
    this.#arm();
  }

  // ---- what users see and change --------------------------------------------------------------

  /** By id or by name; TITAN_E_ROUTINE_UNKNOWN otherwise. */
  find(ref: string): RoutineRecord {
    const found = this.#byId.get(ref) ?? [...this.#byId.values()].find((r) => r.name === ref);
    if (!found) throw new TitanError('TITAN_E_ROUTINE_UNKNOWN', `no routine "${ref}"`);
    return found;
  }

  view(routine: RoutineRecord): RoutineView {
    const trigger = routine.trigger.kind === 'webhook' ? { kind: 'webhook' as const, path: `/hooks/routines/${routine.name}` } : routine.trigger;
    return { ...routine, trigger, running: this.#active.get(routine.id) ?? 0, queued: this.#waiting.get(routine.id)?.length ?? 0 };
  }

  list(): RoutineView[] {
    return [...this.#byId.values()].map((r) => this.view(r));
  }

  /** Checks the description whole, stores the routine and schedules it; `secret`: the webhook's, shown once. */
  async add(input: RoutineInput, userId = this.#ownerId): Promise<{ routine: RoutineView; secret?: string }> {
    const { routine, secret } = routineFrom(input, userId, this.#clock.now());
    if ([...this.#byId.values()].some((r) => r.name === routine.name))
      throw new TitanError('TITAN_E_ROUTINE_EXISTS', `a routine named "${routine.name}" exists`);
    if (routine.action.kind === 'job') {
      // Fail at creation, where the user is: a routine that can never run is not scheduled.
      const why = this.#deps.jobs ? await this.#deps.jobs.unavailable() : 'jobs do not run on this node';
      if (why !== undefined) throw new TitanError('TITAN_E_ROUTINE_NO_DOCKER', `the routine "${routine.name}" runs a job, and ${why}`);
    }
    routine.nextRunAt = routine.enabled ? nextFire(routine, this.#clock.now()) : null;
    await this.#kernel.store.op('routines.save', { routine });
    this.#byId.set(routine.id, routine);
    this.#arm();
    return { routine: this.view(routine), secret };
  }

  /** Pause or resume; a resumed routine's next run counts from now (runs due while paused are not owed). */
  async setEnabled(ref: string, enabled: boolean): Promise<RoutineView> {
    const routine = this.find(ref);
    routine.enabled = enabled;
    routine.nextRunAt = enabled ? nextFire(routine, this.#clock.now()) : null;
    await this.#persist(routine);
    this.#arm();
    return this.view(routine);
  }

  async remove(ref: string): Promise<{ deleted: string; runs: number }> {
    const routine = this.find(ref);
    this.#byId.delete(routine.id);
    this.#arm();
    await this.#writes.get(routine.id);
    return this.#kernel.store.op('routines.delete', { id: routine.id });
  }

  /** The next `count` times an expression fires (the add form's check); TITAN_E_ROUTINE_CRON when it is not one. */
  preview(cron: string, timezone = localTimezone(), count = 5): string[] {
    return parseCron(cron, timezone)
      .nextRuns(count, new Date(this.#clock.now()))
      .map((d) => d.toISOString());
  }

  async runs(ref: string, limit = 50): Promise<RoutineRun[]> {
    return this.#kernel.store.op('routineRuns.list', { routineId: this.find(ref).id, limit });
  }

  /** Runs it now, by hand (quiet hours do not apply; the concurrency policy does): the run and its end. */
  run(ref: string, input?: string): { id: string; done: Promise<RoutineRun> } {
    const routine = this.find(ref);
    const started = this.#begin(routine, 'manual', this.#clock.now(), input);
    this.#track(started.done);
    return started;
  }

  /** A webhook call: the routine's secret checked (in constant time), then a run with the body as its input. */
  webhook(name: string, secret: string | undefined, body: string): { id: string; done: Promise<RoutineRun> } {
    const routine = [...this.#byId.values()].find((r) => r.name === name || r.id === name);
    // An unknown name and a wrong secret answer alike: the route reveals no routine names.
    const expected = routine?.trigger.kind === 'webhook' ? Buffer.from(routine.trigger.secretHash, 'hex') : Buffer.alloc(32);
    const given = Buffer.from(hashSecret(secret ?? ''), 'hex');
    if (routine?.trigger.kind !== 'webhook' || !secret || !timingSafeEqual(expected, given)) {
      throw new TitanError('TITAN_E_ROUTINE_SECRET', `the secret does not open a routine webhook named "${name.slice(0, 64)}"`);
    }
    if (!routine.enabled)
      throw new TitanError('TITAN_E_ROUTINE_INVALID', `the routine "${routine.name}" is paused`, { fix: `titan routine resume ${routine.name}` });
    const started = this.#begin(routine, 'webhook', this.#clock.now(), body ? `The webhook sent:\n${body.slice(0, MAX_EVENT_INPUT)}` : undefined);
    this.#track(started.done);
    return started;
  }

  #onMessage(message: ReceivedMessage): void {
    // A routine's own prompt never triggers routines: no loops.
    if (message.origin === 'routine' || this.#closed) return;
    const at = this.#clock.now();
    for (const routine of this.#byId.values()) {
      const trigger = routine.trigger;
      if (!routine.enabled || trigger.kind !== 'message' || !new RegExp(trigger.pattern, 'i').test(message.text)) continue;
      const input = `The message that triggered this routine:\n${message.text.slice(0, MAX_EVENT_INPUT)}`;
      this.#track(
        (async () => {
          if (trigger.channel) {
            const thread = await this.#kernel.store.op('threads.get', { userId: message.userId, threadId: message.threadId });
            if ((thread.channel ?? 'web') !== trigger.channel) return;
          }
          await this.#begin(routine, 'message', at, input).done;
        })(),
      );
    }
  }

  // ---- the schedule -----------------------------------------------------------------------------

  #arm(): void {
    this.#disarm?.();
    this.#disarm = undefined;
    if (this.#closed || this.#passive) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const r of this.#byId.values()) if (r.enabled && r.nextRunAt !== null) earliest = Math.min(earliest, r.nextRunAt);
    if (earliest === Number.POSITIVE_INFINITY) return;
    const delay = Math.min(Math.max(earliest - this.#clock.now(), 0), MAX_TIMER_MS);
    this.#disarm = this.#clock.setTimer(() => this.#tick(), delay);
  }

  #tick(): void {
    this.#disarm = undefined;
    const now = this.#clock.now();
    const due = [...this.#byId.values()].filter((r) => r.enabled && r.nextRunAt !== null && r.nextRunAt <= now);
    // Every due run starts first (its start time is when the timer fired), then the next times are computed.
    for (const routine of due) this.#track(this.#begin(routine, 'cron', routine.nextRunAt ?? now).done);
    for (const routine of due) {
      // Fire times that passed while the process was busy are one run, for the first of them.
      routine.nextRunAt = nextFire(routine, now);
      this.#track(this.#persist(routine));
    }
    this.#arm();
  }

  // ---- runs -------------------------------------------------------------------------------------

  #newRun(routine: RoutineRecord, trigger: RoutineRun['trigger'], scheduledAt: number): RoutineRun {
    return { id: randomUUID(), routineId: routine.id, trigger, scheduledAt, startedAt: null, finishedAt: null, outcome: 'running', output: null, error: null };
  }

  /** Starts a run now (synchronously, so its start time is true), or records why it was skipped, or queues it. */
  #begin(routine: RoutineRecord, trigger: RoutineRun['trigger'], scheduledAt: number, input?: string): { id: string; done: Promise<RoutineRun> } {
    const run = this.#newRun(routine, trigger, scheduledAt);
    const skip = (why: string) => ({ id: run.id, done: this.#record({ ...run, outcome: 'skipped', finishedAt: this.#clock.now(), error: why }) });
    if (trigger !== 'manual' && routine.quietHours && inQuietHours(scheduledAt, routine.quietHours, routine.timezone)) {
      return skip(`in the quiet hours ${routine.quietHours.start}-${routine.quietHours.end} (${routine.timezone})`);
    }
    if ((this.#active.get(routine.id) ?? 0) > 0) {
      if (routine.concurrency === 'skip') return skip('the previous run still runs (concurrency policy: skip)');
      if (routine.concurrency === 'queue') {
        const queued = this.#record({ ...run, outcome: 'queued' });
        const turn = new Promise<void>((resolve) => {
          const waiting = this.#waiting.get(routine.id) ?? [];
          waiting.push(resolve);
          this.#waiting.set(routine.id, waiting);
        });
        return { id: run.id, done: Promise.all([queued, turn]).then(() => this.#execute(routine, run, input, true)) };
      }
    }
    return { id: run.id, done: this.#execute(routine, run, input, false) };
  }

  /** `held`: the slot was handed over by the run before (policy queue), already counted. */
  async #execute(routine: RoutineRecord, run: RoutineRun, input: string | undefined, held: boolean): Promise<RoutineRun> {
    if (!held) this.#active.set(routine.id, (this.#active.get(routine.id) ?? 0) + 1);
    run.startedAt = this.#clock.now();
    run.outcome = 'running';
    try {
      const started = this.#record({ ...run });
      routine.lastRunAt = run.startedAt;
      // A scheduled run's routine is written once by the tick, with its next run.
      if (run.trigger !== 'cron') this.#track(this.#persist(routine));
      try {
        const output = await runAction(this.#deps, routine, input);
        run.output = output.length > MAX_OUTPUT ? `${output.slice(0, MAX_OUTPUT)}\n(cut at ${MAX_OUTPUT} characters)` : output;
        await deliver(this.#deps, routine, output);
        run.outcome = 'succeeded';
      } catch (error) {
        const titan = error instanceof TitanError ? error : new TitanError('TITAN_E_INTERNAL', String((error as Error)?.message ?? error));
        run.outcome = 'failed';
        run.error = `${titan.code}: ${titan.message}`;
      }
      run.finishedAt = this.#clock.now();
      await started;
      return await this.#record({ ...run });
    } finally {
      const next = this.#waiting.get(routine.id)?.shift();
      if (next) next();
      else this.#active.set(routine.id, (this.#active.get(routine.id) ?? 1) - 1);
    }
  }

  /** Writes the run (after its earlier writes); a failed write is logged, never thrown into the schedule. */
  #record(run: RoutineRun): Promise<RoutineRun> {
    return this.#inOrder(run.id, () => this.#kernel.store.op('routineRuns.save', { run })).then(() => run);
  }

  #persist(routine: RoutineRecord): Promise<void> {
    return this.#inOrder(routine.id, async () => {
      if (!this.#byId.has(routine.id)) return; // removed meanwhile
      await this.#kernel.store.op('routines.save', { routine: { ...routine, updatedAt: this.#clock.now() } });
    });
  }

  #inOrder(key: string, write: () => Promise<unknown>): Promise<void> {
    const previous = this.#writes.get(key) ?? Promise.resolve();
    const next = previous.then(write).catch((error: unknown) => this.#kernel.logger.warn({ err: error, key }, 'a routine write failed'));
    this.#writes.set(key, next);
    void next.finally(() => {
      if (this.#writes.get(key) === next) this.#writes.delete(key);
    });
    return next.then(() => undefined);
  }

  #track(promise: Promise<unknown>): void {
    const tracked = promise.catch((error: unknown) => this.#kernel.logger.warn({ err: error }, 'a routine run failed to start'));
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  /** Resolves when every run started so far has ended and been written (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  /** Stops the timer and the message trigger; runs still going end with the agent (a restart marks them failed). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#disarm?.();
    this.#offMessage?.();
    await Promise.allSettled([...this.#writes.values()]);
  }
}
