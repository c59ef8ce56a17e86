// A loaded binary made into a deployment where its placement says: inline in the kernel's thread
// (built-ins, or by an owner's grant, logged each time) or in the worker pool; and the worker
// deployments verification replays recorded calls on.
import type { HostServices } from '../host-api/index.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import type { BuiltinDigests } from './builtins.ts';
import type { KernelConfig } from './config.ts';
import { InlineDeployment, type Deployment } from './deployment.ts';
import { withMemo } from './memo.ts';
import { effectiveManifest } from './effective-manifest.ts';
import type { EventBus } from './events.ts';
import { slotKey } from './kinds.ts';
import type { ComponentLoader } from './loader.ts';
import type { Placement } from './placement.ts';
import type { WorkerHost } from './worker-host.ts';

export type PlacingDeps = {
  loader: ComponentLoader;
  workers: WorkerHost;
  services: HostServices;
  builtins: BuiltinDigests;
  config: KernelConfig;
  bus: EventBus;
  warn(message: string): void;
  /** A call inline by `grant` was stopped by the watchdog (its slice or its time limit); the stop that
   * withdraws the grant gets the worker deployment later calls go to. */
  inlineStopped(manifest: PublishedManifest, grant: string): Promise<Deployment> | undefined;
};

type Wasm = Uint8Array | (() => Promise<Uint8Array>);

/** Host interfaces an inline component calls without JSPI here: sql on a synchronous driver (libSQL);
 * on an asynchronous one (PostgreSQL), query-handle, whose query runs on after it answers. */
function syncHosts(services: HostServices): ReadonlySet<string> {
  if (services.sql?.sync) return new Set(['sql']);
  return new Set(services.sql?.keepQuery ? ['sql#query-handle'] : []);
}

export async function placeDeployment(deps: PlacingDeps, manifest: PublishedManifest, wasm: Wasm, placement: Placement): Promise<Deployment> {
  const effective = effectiveManifest(manifest, placement.isolation, deps.builtins.has(manifest.digest), deps.config);
  // Runs under the effective limits; known by the registry's manifest (rollback compares it). A
  // worker's host calls cross threads: they always suspend.
  const slot = slotKey(manifest.kind, manifest.name);
  const who = `${slot}@${manifest.version}`;
  const onReplaced = (reason: string) => deps.bus.emit('instance.replaced', { slot, version: manifest.version, reason });
  if (placement.refusedInline) {
    deps.warn(`${who} asks to run inline but is not a built-in: it runs in a worker (grant it with kernel.inlineGrants: ["${slot}"] in config.json)`);
  }
  // Compiled on first use for its threads, and let go once they hold it (module-handover.ts).
  if (placement.isolation === 'worker') return withMemo(deps.workers.deploy({ ...(await deps.loader.loadForWorkers(effective, wasm)), manifest }, onReplaced));
  const loaded = { ...(await deps.loader.load(effective, wasm, syncHosts(deps.services))), manifest };
  // A grant is recorded each time it is used: the log shows which foreign code ran unpre-emptible.
  if (placement.reason === 'grant') deps.warn(`${who} (${manifest.digest}) runs inline by the grant "${placement.grant}" in config kernel.inlineGrants`);
  const grant = placement.reason === 'grant' ? placement.grant : undefined;
  const watched = grant ? { watched: true, sliceMs: deps.config.inlineSliceMs, onStopped: () => deps.inlineStopped(manifest, grant) } : {};
  return withMemo(new InlineDeployment(loaded, deps.services, onReplaced, watched));
}

/** A worker deployment for verification, built-ins included: its instances answer host imports from recorded tapes. */
export async function replayDeployment(deps: PlacingDeps, manifest: PublishedManifest, wasm: Wasm): Promise<Deployment> {
  const effective = effectiveManifest(manifest, 'worker', deps.builtins.has(manifest.digest), deps.config);
  const loaded = { ...(await deps.loader.loadForWorkers(effective, wasm)), manifest };
  return withMemo(deps.workers.deploy(loaded, () => {}, { replayOnly: true }));
}
