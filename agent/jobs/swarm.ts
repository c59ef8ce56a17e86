// Parallel swarms: a task the model splits into parts, each part an agent job in a sandbox of its
// own, on its own git branch of the workspace, all running at once; their changes merged back
// (a conflict is reported with its files, the other parts still merge) and their results fanned in
// to one answer. A swarm is kept as a JSON record under $TITAN_HOME/jobs/swarms; its parts are
// ordinary job rows carrying the swarm's group, so the job table keeps every one of them.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TitanError, isTitanError } from '../../common/errors.ts';
import type { JobService } from './service.ts';
import { addWorktree, checkRepository, commitAll, fastForward, mergeBranch, removeWorktree } from './swarm-git.ts';
import { ask, fanInMessages, parsePlan, partPrompt, planMessages, type PartReport } from './swarm-plan.ts';

export type SwarmRequest = { task: string; workspace: string; parts?: number; timeoutS?: number; memoryMb?: number };
export type SwarmState = 'planning' | 'running' | 'merging' | 'succeeded' | 'failed' | 'conflicts';
export type SwarmPart = { part: number; title: string; prompt: string; branch: string; jobId: string | null } & Omit<PartReport, 'part' | 'title'>;
export type Swarm = {
  id: string;
  userId: string;
  task: string;
  workspace: string;
  state: SwarmState;
  /** The commit the parts branched from, and the branch their changes were merged on. */
  base: string | null;
  branch: string | null;
  /** Whether that branch was fast-forwarded into the workspace (else `reason` says why not). */
  mergedBack: boolean;
  parts: SwarmPart[];
  /** The fanned-in answer. */
  answer: string | null;
  /** "CODE: cause" when it did not simply succeed. */
  reason: string | null;
  createdAt: number;
  finishedAt: number | null;
};

/** Parts a swarm may have at most (each one a container running at once). */
export const MAX_PARTS = 8;
const ENDED: SwarmState[] = ['succeeded', 'failed', 'conflicts'];

export class SwarmService {
  readonly #jobs: JobService;
  readonly #root: string;
  readonly #running = new Map<string, Promise<Swarm>>();

  constructor(jobs: JobService, home: string) {
    this.#jobs = jobs;
    this.#root = path.join(home, 'jobs', 'swarms');
  }

  /** Starts a swarm; it plans, runs, merges and answers in the background (`wait` for its end). */
  async start(userId: string, request: SwarmRequest): Promise<Swarm> {
    if (typeof request?.task !== 'string' || !request.task.trim()) throw new TitanError('TITAN_E_SWARM_INVALID', 'a swarm needs a "task"');
    if (typeof request.workspace !== 'string' || !path.isAbsolute(request.workspace))
      throw new TitanError('TITAN_E_SWARM_INVALID', '"workspace" must be the absolute path of a git repository');
    const parts = request.parts ?? 3;
    if (!Number.isInteger(parts) || parts < 1 || parts > MAX_PARTS)
      throw new TitanError('TITAN_E_SWARM_INVALID', `"parts" must be a whole number from 1 to ${MAX_PARTS}`);
    const model = this.#jobs.model;
    if (!model) throw new TitanError('TITAN_E_PROVIDER_NOT_CONFIGURED', 'a swarm is planned by the model, and this Titan has no model provider');
    const { top, base } = await checkRepository(request.workspace);
    await this.#jobs.engine.ping();
    const swarm: Swarm = {
      id: `swarm_${randomBytes(6).toString('hex')}`,
      userId,
      task: request.task,
      workspace: top,
      state: 'planning',
      base,
      branch: null,
      mergedBack: false,
      parts: [],
      answer: null,
      reason: null,
      createdAt: Date.now(),
      finishedAt: null,
    };
    await this.#save(swarm);
    const done = this.#run(swarm, parts, request).finally(() => this.#running.delete(swarm.id));
    this.#running.set(swarm.id, done);
    return swarm;
  }

  /** Resolves with the swarm once it has ended. */
  async wait(id: string, userId?: string): Promise<Swarm> {
    const running = this.#running.get(id);
    if (running) {
      const swarm = await running;
      if (userId !== undefined && swarm.userId !== userId) throw new TitanError('TITAN_E_NOT_FOUND', `no swarm ${id}`);
      return swarm;
    }
    return this.get(id, userId);
  }

  async get(id: string, userId?: string): Promise<Swarm> {
    if (!/^swarm_[0-9a-f]{12}$/.test(id)) throw new TitanError('TITAN_E_NOT_FOUND', `no swarm ${id}`);
    let swarm: Swarm;
    try {
      swarm = JSON.parse(await readFile(this.#file(id), 'utf8')) as Swarm;
    } catch {
      throw new TitanError('TITAN_E_NOT_FOUND', `no swarm ${id}`);
    }
    if (userId !== undefined && swarm.userId !== userId) throw new TitanError('TITAN_E_NOT_FOUND', `no swarm ${id}`);
    // One a stopped Titan left unfinished: its part jobs are kept, the swarm itself cannot go on.
    if (!ENDED.includes(swarm.state) && !this.#running.has(id))
      return { ...swarm, state: 'failed', reason: 'TITAN_E_JOB_LOST: Titan stopped while the swarm ran; its part jobs are kept (titan job list)' };
    return swarm;
  }

  async list(userId: string, limit = 50): Promise<Swarm[]> {
    const names = await readdir(this.#root).catch(() => [] as string[]);
    const ids = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
    const swarms = await Promise.all(ids.map((id) => this.get(id, userId).catch(() => undefined)));
    return swarms
      .filter((s): s is Swarm => s !== undefined)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, limit);
  }

  #file(id: string): string {
    return path.join(this.#root, `${id}.json`);
  }

  /** Written whole and renamed into place: a reader never sees half a record. */
  async #save(swarm: Swarm): Promise<void> {
    await mkdir(this.#root, { recursive: true });
    const file = this.#file(swarm.id);
    await writeFile(`${file}.tmp`, JSON.stringify(swarm, null, 1));
    await rename(`${file}.tmp`, file);
  }

  async #run(swarm: Swarm, maxParts: number, request: SwarmRequest): Promise<Swarm> {
    const model = this.#jobs.model;
    const folder = path.join(this.#root, swarm.id);
    const worktrees: string[] = [];
    try {
      if (!model || !swarm.base) throw new TitanError('TITAN_E_PROVIDER_NOT_CONFIGURED', 'the model went away');
      const plan = parsePlan(await ask(model.model, model.name, planMessages(swarm.task, maxParts)), maxParts);
      // Every part's branch and folder first: the jobs then start together.
      for (const [i, part] of plan.entries()) {
        const branch = `titan/${swarm.id}/part-${i + 1}`;
        const dir = path.join(folder, `part-${i + 1}`);
        await addWorktree(swarm.workspace, dir, branch, swarm.base);
        worktrees.push(dir);
        swarm.parts.push({
          part: i + 1,
          title: part.title,
          prompt: part.prompt,
          branch,
          jobId: null,
          state: 'queued',
          answer: null,
          reason: null,
          merged: false,
          conflicts: [],
        });
      }
      swarm.state = 'running';
      for (const [i, part] of swarm.parts.entries()) {
        const job = await this.#jobs.submit(swarm.userId, {
          command: '',
          mode: 'agent',
          prompt: partPrompt(swarm.task, plan[i], part.part, plan.length),
          name: `${swarm.id} part ${part.part}: ${part.title}`,
          workspace: worktrees[i],
          origin: `swarm:${swarm.id}`,
          group: { id: swarm.id, part: part.part, of: plan.length, title: part.title },
          timeoutS: request.timeoutS,
          memoryMb: request.memoryMb,
        });
        part.jobId = job.id;
        part.state = job.state;
      }
      await this.#save(swarm);
      await Promise.all(
        swarm.parts.map(async (part) => {
          const ended = await this.#jobs.waitFor(part.jobId as string);
          part.state = ended.state;
          part.reason = ended.reason;
          part.answer = (await this.#jobs.answer(ended.id)) ?? null;
        }),
      );
      swarm.state = 'merging';
      await this.#save(swarm);
      const mergeNote = await this.#merge(swarm, folder, worktrees);
      const fanIn = await ask(model.model, model.name, fanInMessages(swarm.task, swarm.parts, mergeNote));
      swarm.answer = fanIn.trim() || null;
      this.#finish(swarm, mergeNote);
    } catch (error) {
      const coded = isTitanError(error) ? error : new TitanError('TITAN_E_INTERNAL', String(error));
      swarm.state = 'failed';
      swarm.reason = `${coded.code}: ${coded.message}`;
      swarm.finishedAt = Date.now();
    } finally {
      for (const dir of worktrees) await removeWorktree(swarm.workspace, dir);
    }
    await this.#save(swarm);
    return swarm;
  }

  /** Commits each finished part on its branch and merges them in order on the swarm's branch; what happened, in a line. */
  async #merge(swarm: Swarm, folder: string, worktrees: string[]): Promise<string> {
    const branch = `titan/${swarm.id}/merged`;
    const mergeDir = path.join(folder, 'merged');
    await addWorktree(swarm.workspace, mergeDir, branch, swarm.base as string);
    worktrees.push(mergeDir);
    swarm.branch = branch;
    for (const [i, part] of swarm.parts.entries()) {
      if (part.state !== 'succeeded') continue;
      if (!(await commitAll(worktrees[i], `${swarm.id} part ${part.part}: ${part.title}`))) continue;
      const merged = await mergeBranch(mergeDir, part.branch, `Merge ${swarm.id} part ${part.part}: ${part.title}`);
      if (merged.ok) part.merged = true;
      else part.conflicts = merged.files;
    }
    const why = await fastForward(swarm.workspace, swarm.base as string, branch);
    swarm.mergedBack = why === undefined;
    const conflicts = swarm.parts.filter((p) => p.conflicts.length);
    const merged = swarm.parts.filter((p) => p.merged).length;
    return [
      `${merged} of ${swarm.parts.length} parts merged on ${branch}`,
      swarm.mergedBack ? 'and brought into the workspace' : `and not brought into the workspace: ${why}`,
      ...conflicts.map((p) => `; part ${p.part} (${p.branch}) conflicts in ${p.conflicts.join(', ')}`),
    ].join(' ');
  }

  #finish(swarm: Swarm, mergeNote: string): void {
    swarm.finishedAt = Date.now();
    const failed = swarm.parts.filter((p) => p.state !== 'succeeded');
    const conflicts = swarm.parts.filter((p) => p.conflicts.length);
    if (failed.length) {
      swarm.state = 'failed';
      swarm.reason = `TITAN_E_JOB_EXIT: ${failed.map((p) => `part ${p.part} ${p.state}${p.reason ? ` (${p.reason})` : ''}`).join('; ')}`;
    } else if (conflicts.length) {
      swarm.state = 'conflicts';
      swarm.reason = `TITAN_E_SWARM_CONFLICT: ${conflicts.map((p) => `part ${p.part} (${p.branch}) conflicts in ${p.conflicts.join(', ')}`).join('; ')}`;
    } else if (!swarm.mergedBack) {
      // Every part merged, but on the swarm's branch only: the user's own work came first.
      swarm.state = 'conflicts';
      swarm.reason = `TITAN_E_SWARM_CONFLICT: ${mergeNote}`;
    } else {
      swarm.state = 'succeeded';
      swarm.reason = null;
    }
  }
}
