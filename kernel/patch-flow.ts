// Moving a patch through the queue against the serving slots: propose (refused when the version
// already serves), approve or reject, deploy (a failed swap marks it failed and leaves the old
// version serving) and roll back to the version that served before it.
import os from 'node:os';
import { TitanError } from '../common/errors.ts';
import type { ComponentKind, PublishedManifest } from '../registry/manifest.ts';
import type { ComponentRef, Registry } from '../registry/registry.ts';
import type { EventBus } from './events.ts';
import type { Actor, Patch, PatchQueue } from './patches.ts';
import type { Slot } from './slot.ts';
import { swapSlot, type SwapDeps, type SwapResult } from './swap.ts';

/** What the flow needs from the kernel; the kernel hands in its own members. */
export type PatchFlowDeps = {
  registry: Registry;
  patches: PatchQueue;
  bus: EventBus;
  autoApprove: () => boolean;
  slot: (key: string) => Slot | undefined;
  swapDeps: () => SwapDeps;
  deployManifest: (manifest: PublishedManifest) => Promise<SwapResult>;
  /** Writes the slot's serving version to the deployments file. */
  record: (slot: Slot) => Promise<void>;
};

export class PatchFlow {
  readonly #deps: PatchFlowDeps;
  readonly #deploying = new Set<string>();

  constructor(deps: PatchFlowDeps) {
    this.#deps = deps;
  }

  async propose(ref: ComponentRef & { kind: ComponentKind }, actor: Partial<Actor> = {}): Promise<Patch> {
    const { registry, patches } = this.#deps;
    const target = await registry.resolve(ref);
    const current = this.#deps.slot(`${target.kind}/${target.name}`)?.active?.manifest;
    if (current?.digest === target.digest) {
      throw new TitanError('TITAN_E_PATCH_STATE', `${target.kind}/${target.name}@${target.version} is already serving`);
    }
    const patch = await patches.propose(
      { kind: target.kind, name: target.name, fromVersion: current?.version, toVersion: target.version, toDigest: target.digest },
      actorOf(actor, `update ${target.kind}/${target.name} to ${target.version}`),
    );
    if (this.#deps.autoApprove()) return patches.transition(patch.id, 'approved', { by: 'policy', why: 'autoApprovePatches is on' });
    return patch;
  }

  approve(id: string, actor: Partial<Actor> = {}): Promise<Patch> {
    return this.#deps.patches.transition(id, 'approved', actorOf(actor, 'approved'));
  }

  reject(id: string, actor: Partial<Actor> = {}): Promise<Patch> {
    return this.#deps.patches.transition(id, 'rejected', actorOf(actor, 'rejected'));
  }

  async deploy(id: string, actor: Partial<Actor> = {}): Promise<Patch> {
    const { registry, patches } = this.#deps;
    const patch = patches.get(id);
    if (patch.state !== 'approved') {
      throw new TitanError('TITAN_E_PATCH_STATE', `patch ${patch.id.slice(0, 8)} is ${patch.state}; only an approved patch can be deployed`);
    }
    if (this.#deploying.has(patch.id)) {
      throw new TitanError('TITAN_E_SWAP_IN_PROGRESS', `patch ${patch.id.slice(0, 8)} is being deployed`);
    }
    this.#deploying.add(patch.id);
    try {
      const manifest = await registry.show({ kind: patch.kind as ComponentKind, name: patch.name, version: patch.toVersion });
      if (manifest.digest !== patch.toDigest) {
        throw new TitanError('TITAN_E_DIGEST_MISMATCH', `${patch.slot}@${patch.toVersion} in the registry is not the binary the patch approved`);
      }
      try {
        await this.#deps.deployManifest(manifest);
      } catch (error) {
        const titan = error instanceof TitanError ? error : new TitanError('TITAN_E_SMOKE_FAILED', String(error));
        // Another swap of the slot was running: this deploy was not attempted, the patch is unchanged.
        if (titan.code === 'TITAN_E_SWAP_IN_PROGRESS') throw titan;
        await patches.transition(patch.id, 'failed', actorOf(actor, 'deploy failed'), `${titan.code}: ${titan.message}`);
        throw titan;
      }
      return await patches.transition(patch.id, 'deployed', actorOf(actor, 'deployed'));
    } finally {
      this.#deploying.delete(patch.id);
    }
  }

  async rollback(id: string, actor: Partial<Actor> = {}): Promise<Patch> {
    const { registry, patches } = this.#deps;
    const patch = patches.get(id);
    if (patch.state !== 'deployed') {
      throw new TitanError('TITAN_E_PATCH_STATE', `patch ${patch.id.slice(0, 8)} is ${patch.state}; only a deployed patch can be rolled back`);
    }
    const slot = this.#deps.slot(patch.slot);
    if (!slot?.active || slot.active.manifest.version !== patch.toVersion) {
      throw new TitanError('TITAN_E_PATCH_STATE', `${patch.slot} no longer serves ${patch.toVersion}; roll back the newer patch first`);
    }
    if (!patch.fromVersion) {
      throw new TitanError(
        'TITAN_E_NOTHING_TO_ROLL_BACK',
        `patch ${patch.id.slice(0, 8)} was the first version of ${patch.slot}; there is nothing earlier to return to`,
      );
    }
    const previous = await registry.show({ kind: patch.kind as ComponentKind, name: patch.name, version: patch.fromVersion });
    await swapSlot(slot, previous, this.#deps.swapDeps(), 'rollback');
    const at = slot.history.map((m) => m.version).lastIndexOf(patch.fromVersion);
    if (at >= 0) slot.history.splice(at, 1);
    this.#deps.bus.emit('component.rolled_back', { slot: slot.key, from: patch.toVersion, to: patch.fromVersion });
    await this.#deps.record(slot);
    return patches.transition(patch.id, 'rolled_back', actorOf(actor, 'rolled back'));
  }
}

function actorOf(actor: Partial<Actor>, defaultWhy: string): Actor {
  return { by: actor.by ?? os.userInfo().username, why: actor.why ?? defaultWhy };
}
