// Bringing back, at start, the versions the deployments file records as serving: each slot's
// history first (what a rollback returns to), then its serving version as it passed its smoke test
// when deployed. A store loads and migrates at once (ready needs it); every other version serves
// lazily (kernel/lazy-deployment.ts), loaded by its first call, so a start compiles only what it
// uses. Slots are independent and restored side by side; then the ones asked for are warmed.
import type { TitanError } from '../common/errors.ts';
import type { ComponentKind, PublishedManifest } from '../registry/manifest.ts';
import type { Registry } from '../registry/registry.ts';
import type { DeploymentRecord } from './deployments-file.ts';
import type { Slot } from './slot.ts';
import { KIND_PREPARE } from './kinds.ts';
import { LazyDeployment } from './lazy-deployment.ts';
import { swapSlot, type SwapDeps } from './swap.ts';

export type RestoreDeps = {
  registry: Registry;
  serving(key: string): boolean;
  slot(kind: ComponentKind, name: string): Slot;
  swapDeps(): SwapDeps;
  restored(slot: Slot): Promise<void>;
  /** Where a version would run (inline or in a worker): shown before it loads. */
  isolation(manifest: PublishedManifest): 'inline' | 'worker';
};

/** Restores load what prepares (a store's migrations) at once; the rest on first use, its blob only stat-ed now. */
function lazily(deps: RestoreDeps): SwapDeps {
  const swap = deps.swapDeps();
  return {
    ...swap,
    async createDeployment(manifest, standby) {
      if (KIND_PREPARE[manifest.kind]) return swap.createDeployment(manifest, standby);
      await deps.registry.checkBlob(manifest);
      return new LazyDeployment(manifest, deps.isolation(manifest), () => swap.createDeployment(manifest, standby));
    },
  };
}

export async function restoreSlots(records: Record<string, DeploymentRecord>, deps: RestoreDeps): Promise<Array<{ slot: string; error: TitanError }>> {
  const failures: Array<{ slot: string; error: TitanError }> = [];
  // Compiling one slot overlaps another's file reads.
  await Promise.all(
    Object.entries(records).map(async ([key, record]) => {
      const [kind, name] = key.split('/') as [ComponentKind, string];
      if (deps.serving(key)) return; // already serving: restoring again changes nothing
      try {
        const slot = deps.slot(kind, name);
        for (const version of record.history) slot.remember(await deps.registry.show({ kind, name, version }));
        await swapSlot(slot, await deps.registry.show({ kind, name, version: record.version }), lazily(deps), 'restore');
        await deps.restored(slot);
      } catch (error) {
        failures.push({ slot: key, error: error as TitanError });
      }
    }),
  );
  return failures.sort((a, b) => a.slot.localeCompare(b.slot));
}

/** One instance for each serving slot (of those `only` names) restored without any, one slot after another, until the kernel closes. */
export async function warmSlots(slots: Iterable<Slot>, closed: () => boolean, only?: (slot: string) => boolean): Promise<void> {
  for (const slot of slots) {
    if (closed()) return;
    if (only && !only(slot.key)) continue;
    const active = slot.active;
    if (active && active.stats().live === 0) await active.warm(1).catch(() => {}); // a failing one fails its first call instead, with its error
  }
}
