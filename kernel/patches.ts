// The patch queue: every change of a serving component goes proposed -> approved | rejected ->
// deployed (or failed, with the old version still serving) -> rolled back, and each step records
// who, why and when. Persisted in the store component once it serves (see useStore); before that
// (first start, or a kernel without a store) in $TITAN_HOME/patches.json, rewritten atomically.
import { randomUUID } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { readJsonFile, writeJsonAtomic } from '../common/atomic-file.ts';
import { TitanError } from '../common/errors.ts';
import type { Patch, PatchState } from '../components/stores/ops.ts';
import type { EventBus } from './events.ts';
import type { StoreClient } from './store-client.ts';

export type { Patch, PatchState, PatchStep } from '../components/stores/ops.ts';

const NEXT: Record<PatchState, PatchState[]> = {
  proposed: ['approved', 'rejected'],
  approved: ['deployed', 'failed', 'rejected'],
  rejected: [],
  deployed: ['rolled_back'],
  // A failed deploy may be retried once fixed (the old version kept serving meanwhile).
  failed: ['approved', 'rejected'],
  rolled_back: [],
};

export type Actor = { by: string; why: string };

/** Where patches are kept: one changed patch is saved at a time, after the in-memory change. */
export type PatchPersistence = { save(patch: Patch, all: Patch[]): Promise<void> };

export type PatchStore = Pick<StoreClient, 'op'>;

export class PatchQueue {
  readonly #file: string;
  readonly #bus: EventBus;
  #patches: Patch[];
  #persistence: PatchPersistence;
  #writes: Promise<void> = Promise.resolve();

  private constructor(file: string, bus: EventBus, patches: Patch[]) {
    this.#file = file;
    this.#bus = bus;
    this.#patches = patches;
    this.#persistence = { save: (_patch, all) => writeJsonAtomic(this.#file, all) };
  }

  static async open(file: string, bus: EventBus): Promise<PatchQueue> {
    return new PatchQueue(file, bus, await readJsonFile<Patch[]>(file, []));
  }

  /**
   * Moves the queue into the store: patches still in the interim file are saved there (once: the
   * file is renamed after), then the queue is read back from the store and kept there from now on.
   */
  async useStore(store: PatchStore): Promise<void> {
    await this.#writes.catch(() => {});
    const stored = await store.op('patches.list');
    const known = new Set(stored.map((p) => p.id));
    for (const patch of this.#patches) if (!known.has(patch.id)) await store.op('patches.save', { patch });
    if (this.#patches.length > 0) await rename(this.#file, `${this.#file}.moved-to-store`).catch(() => {});
    // Read back only when something was added: the list just read is the queue otherwise (every start).
    this.#patches = this.#patches.length > 0 ? await store.op('patches.list') : stored;
    this.#persistence = { save: (patch) => store.op('patches.save', { patch }).then(() => {}) };
  }

  /** Resolves when every change made so far is saved. */
  settle(): Promise<void> {
    return this.#writes.catch(() => {});
  }

  list(filter: { state?: PatchState; slot?: string } = {}): Patch[] {
    return this.#patches.filter((p) => (!filter.state || p.state === filter.state) && (!filter.slot || p.slot === filter.slot)).map((p) => structuredClone(p));
  }

  get(id: string): Patch {
    const patch = this.#find(id);
    return structuredClone(patch);
  }

  /** By full id, or by a prefix of at least 4 characters that names exactly one patch (as listed). */
  #find(id: string): Patch {
    const exact = this.#patches.find((p) => p.id === id);
    if (exact) return exact;
    const matches = id.length >= 4 ? this.#patches.filter((p) => p.id.startsWith(id)) : [];
    if (matches.length > 1) throw new TitanError('TITAN_E_USAGE', `"${id}" names ${matches.length} patches; give more of the id`);
    if (matches.length === 0) throw new TitanError('TITAN_E_NOT_FOUND', `no patch "${id}"`, { fix: 'run `titan kernel patches` to list them' });
    return matches[0];
  }

  async propose(change: Omit<Patch, 'id' | 'state' | 'history' | 'slot' | 'error'>, actor: Actor): Promise<Patch> {
    const patch: Patch = {
      id: randomUUID(),
      slot: `${change.kind}/${change.name}`,
      ...change,
      state: 'proposed',
      history: [{ state: 'proposed', by: actor.by, why: actor.why, at: new Date().toISOString() }],
    };
    this.#patches.push(patch);
    await this.#commit(patch, actor);
    return structuredClone(patch);
  }

  /** Attaches reports and declarations to a patch without moving it (its state and history stay). */
  async annotate(id: string, fields: Partial<Pick<Patch, 'verification' | 'canary' | 'override' | 'equivalences'>>): Promise<Patch> {
    const patch = this.#find(id);
    Object.assign(patch, structuredClone(fields));
    await this.#commit(patch);
    this.#bus.emit('patch.reported', { id: patch.id, slot: patch.slot, state: patch.state });
    return structuredClone(patch);
  }

  /** Moves a patch to its next state if that step is allowed from where it is. */
  async transition(id: string, to: PatchState, actor: Actor, error?: string): Promise<Patch> {
    const patch = this.#find(id);
    if (!NEXT[patch.state].includes(to)) {
      throw new TitanError('TITAN_E_PATCH_STATE', `patch ${patch.id.slice(0, 8)} is ${patch.state}; it cannot become ${to}`, {
        fix: `from ${patch.state} a patch can become: ${NEXT[patch.state].join(', ') || 'nothing (it is final)'}`,
      });
    }
    patch.state = to;
    patch.history.push({ state: to, by: actor.by, why: actor.why, at: new Date().toISOString() });
    if (error !== undefined) patch.error = error;
    else delete patch.error;
    await this.#commit(patch, actor);
    return structuredClone(patch);
  }

  /** Saves the patch; a step taken (`actor` given) is announced as patch.changed. */
  #commit(patch: Patch, actor?: Actor): Promise<void> {
    const snapshot = structuredClone(this.#patches);
    const changed = structuredClone(patch);
    const persistence = this.#persistence;
    this.#writes = this.#writes.catch(() => {}).then(() => persistence.save(changed, snapshot));
    if (actor) this.#bus.emit('patch.changed', { id: patch.id, slot: patch.slot, state: patch.state, by: actor.by, why: actor.why });
    return this.#writes;
  }
}
