// The kernel's slots by kind/name: which version serves in each, the swaps and rollbacks that change
// it, and the deployments file recording them, which a restart restores.
import { byCodeUnits } from '../common/code-order.ts';
import { TitanError } from '../common/errors.ts';
import type { ComponentKind, PublishedManifest } from '../registry/manifest.ts';
import type { Registry } from '../registry/registry.ts';
import { DeploymentsFile } from './deployments-file.ts';
import { slotKey } from './kinds.ts';
import { restoreSlots, warmSlots } from './restore.ts';
import { Slot } from './slot.ts';
import { rollbackSlot, swapSlot, type SwapDeps, type SwapResult } from './swap.ts';

export type SlotTableDeps = {
  swapDeps(): SwapDeps;
  /** Told of each slot that came to serve by a deploy or a restore (the kernel's store, once it serves). */
  served(slot: Slot): Promise<void>;
};

export class SlotTable {
  readonly #slots = new Map<string, Slot>();
  readonly #deployments: DeploymentsFile;
  readonly #deps: SlotTableDeps;

  constructor(deploymentsFile: string, deps: SlotTableDeps) {
    this.#deployments = new DeploymentsFile(deploymentsFile);
    this.#deps = deps;
  }

  /** The slot of kind/name, made empty if there is none yet. */
  slot(kind: string, name: string): Slot {
    const key = slotKey(kind, name);
    let slot = this.#slots.get(key);
    if (!slot) this.#slots.set(key, (slot = new Slot(kind, name)));
    return slot;
  }

  /** A lookup by key: no slot is created. */
  get(key: string): Slot | undefined {
    return this.#slots.get(key);
  }

  values(): IterableIterator<Slot> {
    return this.#slots.values();
  }

  /** Every slot, ordered by key. */
  sorted(): Slot[] {
    return [...this.#slots.values()].sort((a, b) => byCodeUnits(a.key, b.key));
  }

  /** The manifests serving components of one kind, ordered by key. */
  servingOfKind(kind: ComponentKind): PublishedManifest[] {
    const slots = [...this.#slots.values()].filter((slot) => slot.kind === kind && slot.active);
    return slots.sort((a, b) => byCodeUnits(a.key, b.key)).map((slot) => (slot.active as NonNullable<Slot['active']>).manifest);
  }

  async deployManifest(manifest: PublishedManifest): Promise<SwapResult> {
    const slot = this.slot(manifest.kind, manifest.name);
    let result: SwapResult;
    try {
      result = await swapSlot(slot, manifest, this.#deps.swapDeps());
    } catch (error) {
      // A first deploy that failed leaves no empty slot behind.
      if (!slot.active && !slot.swapping) this.#slots.delete(slot.key);
      throw error;
    }
    await this.record(slot);
    await this.#deps.served(slot);
    return result;
  }

  async rollback(kind: string, name: string): Promise<SwapResult> {
    const slot = this.#slots.get(slotKey(kind, name));
    if (!slot?.active) throw new TitanError('TITAN_E_SLOT_EMPTY', `no ${kind} named "${name}" is deployed`);
    const result = await rollbackSlot(slot, this.#deps.swapDeps());
    await this.record(slot);
    return result;
  }

  /** Writes what serves in the slot, and what served before it, to the deployments file. */
  async record(slot: Slot): Promise<void> {
    const active = slot.active;
    if (!active) return;
    await this.#deployments.update(slot.key, {
      version: active.manifest.version,
      digest: active.manifest.digest,
      history: slot.history.map((m) => m.version),
      at: new Date().toISOString(),
    });
  }

  warm(closed: () => boolean, only?: (slot: string) => boolean): Promise<void> {
    return warmSlots(this.#slots.values(), closed, only);
  }

  async restore(
    registry: Registry,
    isolation: (manifest: PublishedManifest) => 'inline' | 'worker',
    only?: (slot: string) => boolean,
  ): Promise<Array<{ slot: string; error: TitanError }>> {
    const records = Object.entries(await this.#deployments.read()).filter(([key]) => !only || only(key));
    return restoreSlots(Object.fromEntries(records), {
      registry,
      serving: (key) => this.#slots.get(key)?.active !== undefined,
      slot: (kind, name) => this.slot(kind, name),
      swapDeps: () => this.#deps.swapDeps(),
      restored: (slot) => this.#deps.served(slot),
      isolation,
    });
  }
}
