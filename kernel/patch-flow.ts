// Moving a patch through the queue against the serving slots: propose (refused when the version
// already serves; verified by replaying recorded calls, kernel/verify.ts), approve (a failed
// verification only with an override and its reason) or reject, deploy (a failed swap marks it
// failed and leaves the old version serving; a good one serves a canary share first,
// kernel/canary.ts) and roll back to the version that served before it, by hand or by the canary.
import os from 'node:os';
import { TitanError } from '../common/errors.ts';
import type { ComponentKind, PublishedManifest } from '../registry/manifest.ts';
import type { ComponentRef, Registry } from '../registry/registry.ts';
import type { Equivalence, VerificationReport } from '../components/stores/ops.ts';
import type { LatencyStats } from './call-recorder.ts';
import { Canary, type CanaryConfig } from './canary.ts';
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
  /** Replays the slot's recorded calls on both versions (kernel/verify.ts). */
  verify: (old: PublishedManifest | undefined, next: PublishedManifest, equivalences: Equivalence[]) => Promise<VerificationReport>;
  canary: () => CanaryConfig;
  /** The counted figures of slot@version so far. */
  stats: (slot: string, version: string) => LatencyStats;
  kindStats: (slot: string, version: string, kind: string) => LatencyStats;
};

/**
 * Kinds whose calls may be split between two versions: each call stands alone. A store (one
 * schema, just migrated) and a reflex (its own guard) move whole, and are watched all the same.
 */
const SPLIT_KINDS = new Set(['tool', 'provider', 'channel']);

export type ProposeOptions = { equivalences?: Equivalence[] };

export class PatchFlow {
  readonly #deps: PatchFlowDeps;
  readonly #deploying = new Set<string>();

  constructor(deps: PatchFlowDeps) {
    this.#deps = deps;
  }

  async propose(ref: ComponentRef & { kind: ComponentKind }, actor: Partial<Actor> = {}, options: ProposeOptions = {}): Promise<Patch> {
    const { registry, patches } = this.#deps;
    const target = await registry.resolve(ref);
    const current = this.#deps.slot(`${target.kind}/${target.name}`)?.active?.manifest;
    // The same binary under another version may differ in its manifest (a memo, limits): only the same release is refused.
    if (current?.digest === target.digest && current.version === target.version) {
      throw new TitanError('TITAN_E_PATCH_STATE', `${target.kind}/${target.name}@${target.version} is already serving`);
    }
    const proposed = await patches.propose(
      {
        kind: target.kind,
        name: target.name,
        fromVersion: current?.version,
        toVersion: target.version,
        toDigest: target.digest,
        ...(options.equivalences?.length ? { equivalences: options.equivalences } : {}),
      },
      actorOf(actor, `update ${target.kind}/${target.name} to ${target.version}`),
    );
    const patch = await this.verify(proposed.id);
    // Policy approves only what verification passed; a failed one waits for a person's override.
    if (this.#deps.autoApprove() && patch.verification?.passed) {
      return patches.transition(patch.id, 'approved', { by: 'policy', why: 'autoApprovePatches is on and verification passed' });
    }
    return patch;
  }

  /** Replays the slot's recorded calls on the serving and the proposed version; the report goes on the patch. */
  async verify(id: string): Promise<Patch> {
    const { registry, patches } = this.#deps;
    const patch = patches.get(id);
    const kind = patch.kind as ComponentKind;
    const next = await registry.show({ kind, name: patch.name, version: patch.toVersion });
    const old = patch.fromVersion ? await registry.show({ kind, name: patch.name, version: patch.fromVersion }) : undefined;
    const verification = await this.#deps.verify(old, next, patch.equivalences ?? []);
    return patches.annotate(patch.id, { verification });
  }

  /** `override`: the reason to approve a patch whose verification failed (recorded on it). */
  async approve(id: string, actor: Partial<Actor> = {}, override?: string): Promise<Patch> {
    const { patches } = this.#deps;
    let patch = patches.get(id);
    if (patch.state === 'proposed' && !patch.verification) patch = await this.verify(patch.id);
    const report = patch.verification;
    if (patch.state === 'proposed' && report && !report.passed) {
      if (!override?.trim()) {
        throw new TitanError('TITAN_E_PATCH_UNVERIFIED', `patch ${patch.id.slice(0, 8)} failed verification: ${report.reasons.join('; ')}`, {
          details: { verification: report },
        });
      }
      await patches.annotate(patch.id, { override: override.trim() });
      return patches.transition(patch.id, 'approved', actorOf(actor, `approved over a failed verification: ${override.trim()}`));
    }
    return patches.transition(patch.id, 'approved', actorOf(actor, 'approved'));
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
      let previous: string | undefined;
      try {
        previous = (await this.#deps.deployManifest(manifest)).previous;
      } catch (error) {
        const titan = error instanceof TitanError ? error : new TitanError('TITAN_E_SMOKE_FAILED', String(error));
        // Another swap of the slot was running: this deploy was not attempted, the patch is unchanged.
        if (titan.code === 'TITAN_E_SWAP_IN_PROGRESS') throw titan;
        await patches.transition(patch.id, 'failed', actorOf(actor, 'deploy failed'), `${titan.code}: ${titan.message}`);
        throw titan;
      }
      const deployed = await patches.transition(patch.id, 'deployed', actorOf(actor, 'deployed'));
      if (previous) this.#startCanary(deployed, previous);
      return deployed;
    } finally {
      this.#deploying.delete(patch.id);
    }
  }

  /**
   * The new version is judged on live calls against the old one's figures. With a baseline (the
   * old version served calls) it takes only the configured share at first; without one (or for a
   * kind that moves whole) every call is its, but it is judged all the same.
   */
  #startCanary(patch: Patch, previous: string): void {
    const slot = this.#deps.slot(patch.slot);
    const config = this.#deps.canary();
    if (!slot || slot.standby?.manifest.version !== previous || config.canaryWatchCalls <= 0) return;
    const baseline = () => this.#deps.stats(patch.slot, previous);
    const share = SPLIT_KINDS.has(patch.kind) && baseline().calls >= config.canaryMinCalls ? config.canaryShare : 1;
    const save = () => void this.#deps.patches.annotate(patch.id, { canary: canary.report() }).catch(() => {});
    const canary: Canary = new Canary({
      patchId: patch.id,
      version: patch.toVersion,
      config: { ...config, canaryShare: share },
      baseline,
      baselineOf: (kind) => this.#deps.kindStats(patch.slot, previous, kind),
      onKept: () => {
        if (slot.canary === canary) slot.canary = undefined;
        save();
      },
      onRollback: (reason) => {
        this.#deps.bus.emit('component.canary_failed', { slot: patch.slot, patch: patch.id, version: patch.toVersion, reason });
        // The rollback writes the canary's report on the patch before it moves it.
        void this.rollback(patch.id, { by: 'canary', why: `automatic rollback: ${reason}` }).catch((error: Error) => {
          this.#deps.bus.emit('kernel.warning', { message: `canary rollback of ${patch.slot} failed: ${error.message}` });
          save();
        });
      },
    });
    slot.canary = canary;
    save();
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
    const canary = slot.canary;
    await swapSlot(slot, previous, this.#deps.swapDeps(), 'rollback');
    if (canary?.patchId === patch.id) await patches.annotate(patch.id, { canary: canary.report() });
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
