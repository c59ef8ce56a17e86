// Notices newer versions of serving components in the registry (published by `titan registry
// publish`, or a newer built-in) and proposes each as a patch, once. Nothing is swapped here:
// a patch is deployed only after approval (by a person, or by policy when autoApprovePatches is on).
import semver from 'semver';
import type { ComponentKind } from '../registry/manifest.ts';
import { isDerived } from './derive.ts';
import type { Kernel } from './kernel.ts';
import type { Patch } from './patches.ts';
import { sleep } from './supervisor.ts';

export async function proposeNewerVersions(kernel: Kernel): Promise<Patch[]> {
  const proposed: Patch[] = [];
  // One pass over the registry per check (it lists in ascending version order per component).
  // Versions the monitor derived (kernel/derive.ts) are proposed by the monitor itself, with its reason.
  const releases = (await kernel.registry.list()).filter((m) => !isDerived(m.version));
  const newestBySlot = new Map(releases.map((m) => [`${m.kind}/${m.name}`, m]));
  for (const component of kernel.components()) {
    if (!component.version) continue;
    const newest = newestBySlot.get(component.slot);
    if (!newest || !semver.gt(newest.version, component.version)) continue;
    const known = kernel.patches.list({ slot: component.slot }).some((p) => p.toVersion === newest.version);
    if (known) continue;
    proposed.push(
      await kernel.proposePatch(
        { kind: component.kind as ComponentKind, name: component.name, range: newest.version },
        { by: 'titan', why: `${component.slot} ${newest.version} is in the registry; ${component.version} is serving` },
      ),
    );
  }
  return proposed;
}

export async function watchForUpdates(kernel: Kernel, signal: AbortSignal, intervalMs: number): Promise<void> {
  while (!signal.aborted) {
    await proposeNewerVersions(kernel);
    await sleep(intervalMs, signal);
  }
}
