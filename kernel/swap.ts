// The atomic swap: build, instantiate and smoke-test the new version beside the old one, then
// switch the slot's reference. Calls in flight finish on the old version, which stays warm as the
// slot's standby (so a rollback reuses its instances); any failure before the switch leaves the
// old version serving, untouched.
import { TitanError } from '../common/errors.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import type { Deployment } from './deployment.ts';
import type { EventBus } from './events.ts';
import type { Slot } from './slot.ts';
import { smokeTest } from './smoke.ts';
import { KIND_PREPARE } from './kinds.ts';

export type SwapDeps = {
  /** A deployment of `manifest`: `standby` itself when it is that very release (checked again). */
  createDeployment(manifest: PublishedManifest, standby?: Deployment): Promise<Deployment>;
  /** What the smoke test runs on: `next` itself when it runs in a worker, else a worker beside it (smoke tests always run isolated). */
  probe(manifest: PublishedManifest, next: Deployment): Promise<Deployment>;
  bus: EventBus;
};

export type SwapResult = { slot: string; version: string; digest: string; previous?: string; ms: number };

export async function swapSlot(
  slot: Slot,
  manifest: PublishedManifest,
  deps: SwapDeps,
  mode: 'deploy' | 'rollback' | 'restore' = 'deploy',
): Promise<SwapResult> {
  if (manifest.kind !== slot.kind || manifest.name !== slot.name) {
    throw new TitanError('TITAN_E_KIND_MISMATCH', `${manifest.kind}/${manifest.name} cannot go into slot ${slot.key}`);
  }
  // Checked and set in one synchronous step: of two concurrent swaps, exactly one proceeds.
  if (slot.swapping) throw new TitanError('TITAN_E_SWAP_IN_PROGRESS', `slot ${slot.key} is already being swapped`);
  slot.swapping = true;
  const started = performance.now();
  let next: Deployment | undefined;
  try {
    next = await deps.createDeployment(manifest, slot.standby);
    const created = next;
    const prepare = KIND_PREPARE[manifest.kind];
    // A restart restores the version that passed its smoke test when it was deployed (its blob
    // re-hashed on the way in): loaded and, where its kind prepares (a store migrates), prepared.
    // Its first instance comes right after the kernel is ready (Kernel.warmRestored).
    const smoke = () => (mode === 'restore' ? Promise.resolve() : smokeIsolated(manifest, created, deps));
    // The smoke test runs in a worker: it overlaps the warm-up here, unless it needs the preparing done.
    const smoking = prepare ? undefined : smoke();
    smoking?.catch(() => {}); // awaited below; a failed warm-up must not leave it unhandled
    if (mode !== 'restore' || prepare) {
      // As many instances as the old version runs: after the switch, calls must not wait for
      // instances to be created on the request path.
      await next.warm(Math.max(1, slot.active?.stats().live ?? 1));
    }
    if (prepare) await next.call(prepare, []);
    await (smoking ?? smoke());
    const previous = slot.active;
    slot.active = next; // the switch
    slot.canary = undefined; // a canary judged the version that served; it serves no more
    slot.swaps++;
    if (previous && mode === 'deploy') slot.remember(previous.manifest);
    // The version that served before stays warm beside the new one: a rollback (or a swap back)
    // takes over its instances instead of creating new ones. The standby it replaces drains.
    const retired = slot.standby === next ? undefined : slot.standby;
    slot.standby = previous;
    if (retired) void retired.close();
    const result: SwapResult = {
      slot: slot.key,
      version: manifest.version,
      digest: manifest.digest,
      previous: previous?.manifest.version,
      ms: performance.now() - started,
    };
    deps.bus.emit('component.deployed', result);
    return result;
  } catch (error) {
    // A reused standby stays standby; a fresh deployment that did not make it is freed.
    if (next && next !== slot.standby) void next.close();
    const titan = error instanceof TitanError ? error : new TitanError('TITAN_E_SMOKE_FAILED', String((error as Error)?.message ?? error));
    deps.bus.emit('component.swap_failed', { slot: slot.key, version: manifest.version, code: titan.code, message: titan.message });
    throw titan;
  } finally {
    slot.swapping = false;
  }
}

async function smokeIsolated(manifest: PublishedManifest, next: Deployment, deps: SwapDeps): Promise<void> {
  const probe = await deps.probe(manifest, next);
  try {
    await smokeTest(probe);
  } finally {
    if (probe !== next) await probe.close();
  }
}

/** Puts the previous version back: one call, the same checks as any swap. */
export async function rollbackSlot(slot: Slot, deps: SwapDeps): Promise<SwapResult> {
  const target = slot.history.at(-1);
  if (!target) throw new TitanError('TITAN_E_NOTHING_TO_ROLL_BACK', `slot ${slot.key} has no earlier version`);
  const from = slot.active?.manifest.version ?? 'none';
  const result = await swapSlot(slot, target, deps, 'rollback');
  slot.history.pop();
  deps.bus.emit('component.rolled_back', { slot: slot.key, from, to: target.version });
  return result;
}
