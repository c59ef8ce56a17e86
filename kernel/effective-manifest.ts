// The manifest a deployment runs under: the kernel's default limits filled in, the result cap held
// to the kernel's ceiling, and the owner's grants from config.json in place of the manifest's.
import type { PublishedManifest } from '../registry/manifest.ts';
import type { KernelConfig } from './config.ts';
import { slotKey } from './kinds.ts';

type Defaults = Pick<KernelConfig, 'defaultMemoryMb' | 'maxInstances' | 'defaultTimeoutMs' | 'maxResultBytes' | 'components'>;

export function effectiveManifest(manifest: PublishedManifest, isolation: 'inline' | 'worker', builtin: boolean, config: Defaults): PublishedManifest {
  const limits = {
    memoryMb: config.defaultMemoryMb,
    maxInstances: config.maxInstances,
    // Built-ins inline have no time limit (their calls are the kernel's own code); everything else has one.
    ...(isolation === 'worker' || !builtin ? { timeoutMs: config.defaultTimeoutMs } : {}),
    ...manifest.limits,
    isolation,
    maxResultBytes: Math.min(manifest.limits?.maxResultBytes ?? config.maxResultBytes, config.maxResultBytes),
  };
  // The owner's grants replace the manifest's, for capabilities it declares (its binary imports
  // nothing else); the link plan checks them like any grant.
  const owner = config.components[slotKey(manifest.kind, manifest.name)]?.capabilities ?? {};
  const capabilities = { ...manifest.capabilities };
  for (const [name, grant] of Object.entries(owner)) if (name in capabilities) capabilities[name] = grant;
  return { ...manifest, limits, capabilities };
}
