// Jobs on mesh peers (the agent's RoutineJobs port): a node without Docker (none installed, or
// jobs.docker off) hands a routine's job, as a 'job-run' task, to the least loaded peer that
// advertises jobs (its engine answered and it serves them); that peer runs it through its own
// sandbox scheduler and answers the run's outcome and log tail. No such peer: the routine fails
// loudly (TITAN_E_ROUTINE_NO_DOCKER with both reasons), as it does without a mesh.
import { randomUUID } from 'node:crypto';
import { TitanError } from '../common/errors.ts';
import type { RoutineJobs } from '../agent/api.ts';
import type { Member } from './membership.ts';
import type { TaskMessage } from './messages.ts';
import { leastLoadedPeer } from './scheduler.ts';
import type { TaskClient } from './task-client.ts';

export type JobRunsDeps = { self: string; client: TaskClient; members(): Member[] };
type Outcome = Awaited<ReturnType<RoutineJobs['run']>>;

/** A job without its own time limit gets the longest a job may have (jobs.maxTimeoutS's default), plus a margin. */
const DEFAULT_WAIT_MS = 24 * 3600 * 1000;
const MARGIN_MS = 60_000;

export class JobRuns implements RoutineJobs {
  readonly #deps: JobRunsDeps;
  #jobs: RoutineJobs | undefined;
  readonly counters = { sent: 0, ranForPeers: 0, refused: 0 };

  constructor(deps: JobRunsDeps) {
    this.#deps = deps;
  }

  /** This node runs peers' jobs (its Docker engine answered when Titan started). */
  get serving(): boolean {
    return this.#jobs !== undefined;
  }

  serveWith(jobs: RoutineJobs): void {
    this.#jobs = jobs;
  }

  #pick(): string | undefined {
    const { self, client, members } = this.#deps;
    return leastLoadedPeer(
      members(),
      self,
      (peer) => client.inFlight(peer),
      (member) => member.jobs === true,
    );
  }

  async unavailable(): Promise<string | undefined> {
    return this.#pick() ? undefined : 'no mesh peer advertises Docker jobs';
  }

  async run(job: Record<string, unknown>, context: { label: string; userId: string; origin: string }): Promise<Outcome> {
    const peer = this.#pick();
    if (!peer) throw new TitanError('TITAN_E_MESH_NO_JOB_PEER', `no mesh peer advertises Docker jobs for ${context.label}`);
    const task: TaskMessage = {
      t: 'task',
      id: randomUUID(),
      type: 'job-run',
      assignee: peer,
      component: { kind: 'tool', name: 'job', version: '0.0.0', range: '*', digest: '' },
      fn: 'run',
      args: [job, context],
    };
    this.counters.sent++;
    const timeoutS = Number(job.timeoutS);
    const value = (await this.#deps.client.run(task, undefined, (timeoutS > 0 ? timeoutS * 1000 : DEFAULT_WAIT_MS) + MARGIN_MS)) as
      | Partial<Outcome>
      | undefined;
    if (typeof value?.ok !== 'boolean' || typeof value.output !== 'string')
      throw new TitanError('TITAN_E_MESH_TASK_INVALID', `${peer} answered a job run without its outcome and output`);
    const where = `[the job ran on mesh peer ${peer}]`;
    return { ok: value.ok, output: `${where}\n${value.output}`, ...(typeof value.error === 'string' ? { error: `${value.error} ${where}` } : {}) };
  }

  /** Runs a peer's 'job-run' task through this node's scheduler; refused when it serves no jobs or the task is malformed. */
  async serve(task: TaskMessage, from: string): Promise<Outcome> {
    const [job, context] = task.args as [unknown, Partial<{ label: unknown; userId: unknown; origin: unknown }> | undefined];
    const refuse = (why: string) => {
      this.counters.refused++;
      return new TitanError('TITAN_E_MESH_TASK_INVALID', `job run ${task.id}: ${why}`);
    };
    if (!this.#jobs) throw refuse('this node runs no jobs for peers');
    if (!job || typeof job !== 'object' || Array.isArray(job)) throw refuse('the job must be an object (a job request)');
    if (typeof context?.userId !== 'string' || typeof context.label !== 'string' || typeof context.origin !== 'string')
      throw refuse('the context needs a label, a user id and an origin');
    const why = await this.#jobs.unavailable();
    if (why !== undefined) throw new TitanError('TITAN_E_DOCKER_UNAVAILABLE', `mesh peer ${this.#deps.self} cannot run jobs now: ${why}`);
    const outcome = await this.#jobs.run(job as Record<string, unknown>, {
      label: context.label.slice(0, 200),
      userId: context.userId.slice(0, 200),
      origin: `mesh:${from.slice(0, 60)}/${context.origin.slice(0, 100)}`,
    });
    this.counters.ranForPeers++;
    return outcome;
  }
}
