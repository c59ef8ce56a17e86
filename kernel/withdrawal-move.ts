// What follows a withdrawn inline grant (grant-withdrawals.ts): the withdrawal is recorded and
// warned once, the slot moves to a worker (calls made meanwhile go there at once), and
// component.grant_withdrawn says where it runs now.
import type { PublishedManifest } from '../registry/manifest.ts';
import type { KernelConfig } from './config.ts';
import type { Deployment } from './deployment.ts';
import type { EventBus } from './events.ts';
import { replacePlacement, withdrawnMessage, type GrantWithdrawals, type Withdrawal } from './grant-withdrawals.ts';
import type { Slot } from './slot.ts';

export type MoveDeps = {
  withdrawals: GrantWithdrawals;
  config: KernelConfig;
  bus: EventBus;
  slot(key: string): Slot | undefined;
  createDeployment(manifest: PublishedManifest): Promise<Deployment>;
  warn(message: string): void;
};

/** Repeated stops withdraw the grant: the deployment the slot moves to, or undefined while the grant still holds. */
export function inlineStopped(deps: MoveDeps, manifest: PublishedManifest, grant: string): Promise<Deployment> | undefined {
  const withdrawal = deps.withdrawals.stopped(grant, manifest, deps.config);
  if (!withdrawal) return undefined;
  deps.warn(withdrawnMessage(withdrawal));
  const moving = deps.createDeployment(manifest);
  void moved(deps, withdrawal, moving);
  return moving;
}

async function moved(deps: MoveDeps, withdrawal: Withdrawal, moving: Promise<Deployment>): Promise<void> {
  const { slot, grant, version, reason, at } = withdrawal;
  const key = deps.slot(slot);
  const moved = key ? await replacePlacement(key, (m) => (m.digest === withdrawal.digest ? moving : deps.createDeployment(m))).catch((e: Error) => e) : false;
  if (moved instanceof Error) deps.warn(`${slot} did not move to a worker yet: ${moved.message}`);
  await deps.withdrawals.saved().catch((e: Error) => deps.warn(`the withdrawal of ${grant} was not recorded: ${e.message}`));
  deps.bus.emit('component.grant_withdrawn', { slot, grant, version, reason, at, isolation: deps.slot(slot)?.active?.isolation ?? null });
}
