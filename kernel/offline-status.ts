// The components of a home whose kernel does not run, read from its files alone (the deployments
// file, the registry's manifests, the built-ins' digests): what `titan components` shows without
// opening a kernel, compiling anything or starting a worker. Loaded only when asked.
import path from 'node:path';
import { homePaths } from '../common/home.ts';
import type { Registry } from '../registry/registry.ts';
import type { ComponentKind } from '../registry/kinds.ts';
import { BuiltinDigests } from './builtins.ts';
import type { KernelConfig } from './config.ts';
import { DeploymentsFile } from './deployments-file.ts';
import { GrantWithdrawals, withdrawalsFile } from './grant-withdrawals.ts';
import { placeComponent } from './placement.ts';
import type { ComponentStatus } from './slot.ts';

/** Each slot's serving version as the next start restores it; no instances (nothing runs) and no swaps yet. */
export async function offlineComponents(home: string, registry: Registry, config: Pick<KernelConfig, 'inlineGrants'>): Promise<ComponentStatus[]> {
  const paths = homePaths(home);
  const deployments = await new DeploymentsFile(paths.deployments).read();
  const builtins = await BuiltinDigests.open(path.join(home, 'builtins.json'));
  const withdrawals = await GrantWithdrawals.open(withdrawalsFile(home));
  const rows = await Promise.all(
    Object.entries(deployments).map(async ([slot, record]): Promise<ComponentStatus> => {
      const [kind, name] = slot.split('/') as [ComponentKind, string];
      const manifest = await registry.show({ kind, name, version: record.version }).catch(() => undefined);
      const placement = manifest && placeComponent(manifest, builtins.has(manifest.digest), config.inlineGrants, (grant) => withdrawals.of(grant));
      return {
        slot,
        kind,
        name,
        version: record.version,
        digest: record.digest,
        isolation: placement ? placement.isolation : null,
        swaps: 0,
        previous: record.history,
        instances: null,
        ...(placement?.withdrawal ? { withdrawn: placement.withdrawal } : {}),
      };
    }),
  );
  return rows.sort((a, b) => a.slot.localeCompare(b.slot));
}
