// Where a component runs. Anything not shipped with Titan runs in a worker, where a call past its
// time limit is stopped; "inline" (the kernel's own thread, microseconds per call, but a loop
// there freezes everything) is for the built-ins, or for a component the owner granted it to.
import type { PublishedManifest } from '../registry/manifest.ts';
import type { Withdrawal } from './grant-withdrawals.ts';

export type Placement = {
  isolation: 'inline' | 'worker';
  /** built-in: a binary this installation built from components/; grant: named in config kernel.inlineGrants;
   * declared: the manifest asks for a worker; default: not shipped with Titan, so isolated;
   * withdrawn: granted, but the kernel withdrew the grant after repeated stops (grant-withdrawals.ts). */
  reason: 'built-in' | 'grant' | 'declared' | 'default' | 'withdrawn';
  /** The config entry that granted inline. */
  grant?: string;
  /** Why and when the kernel withdrew that grant. */
  withdrawal?: Withdrawal;
  /** The manifest asked for inline and did not get it. */
  refusedInline?: boolean;
};

export function placeComponent(
  manifest: PublishedManifest,
  builtin: boolean,
  grants: readonly string[],
  withdrawn: (grant: string) => Withdrawal | undefined = () => undefined,
): Placement {
  const declared = manifest.limits?.isolation;
  if (declared === 'worker') return { isolation: 'worker', reason: 'declared' };
  if (builtin) return { isolation: 'inline', reason: 'built-in' };
  const slot = `${manifest.kind}/${manifest.name}`;
  const grant = grants.find((g) => g === slot || g === `${slot}@${manifest.digest}`);
  const withdrawal = grant ? withdrawn(grant) : undefined;
  if (grant && withdrawal) return { isolation: 'worker', reason: 'withdrawn', grant, withdrawal };
  if (grant) return { isolation: 'inline', reason: 'grant', grant };
  return { isolation: 'worker', reason: 'default', refusedInline: declared === 'inline' };
}
