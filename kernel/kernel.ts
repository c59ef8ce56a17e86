// The kernel: slots of components loaded from the registry, the swap and patch machinery around
// them, and the services they import. Everything outside kernel/ goes through this class; the parts
// it wires sit beside it (kernel-services.ts, slot-table.ts, withdrawal-move.ts, patch-flow.ts).
import path from 'node:path';
import { cancelAllCommands } from '../host-api/exec.ts';
import type { HomePaths } from '../common/home.ts';
import type { SecretStore } from '../common/secret-store.ts';
import type { Registry, ComponentRef } from '../registry/registry.ts';
import type { BuiltinDigests } from './builtins.ts';
import type { KernelConfig } from './config.ts';
import type { EventBus } from './events.ts';
import { logBusEvents, openKernelHome, type KernelHome, type KernelOptions } from './kernel-home.ts';
import { closeLogger, type Logger } from './logger.ts';
import type { Actor, Patch, PatchQueue } from './patches.ts';
import { TitanError } from '../common/errors.ts';
import type { ComponentKind, PublishedManifest } from '../registry/manifest.ts';
import type { ChatterDrops, ChatterLimiter } from './chatter.ts';
import type { CallOptions, Deployment } from './deployment.ts';
import { JitTools } from './jit-tools.ts';
import { publishComponent } from './publish.ts';
import { placeDeployment, replayDeployment, type PlacingDeps } from './placed-deployment.ts';
import { registryDeployment } from './registry-deployment.ts';
import type { LeakGuard } from '../common/leak-guard.ts';
import { wireServices } from './kernel-services.ts';
import { slotKey } from './kinds.ts';
import { KvStore } from './kv-store.ts';
import { ComponentLoader } from './loader.ts';
import { CallRecorder } from './call-recorder.ts';
import { keepRecordedCalls, loadRecordedCalls, saveRecordedCalls } from './recorded-calls-file.ts';
import { Optimiser } from './optimiser.ts';
import { PatchFlow, type ProposeOptions } from './patch-flow.ts';
import { callSlot } from './slot-calls.ts';
import { smokeTest } from './smoke.ts';
import { verifyVersions, type VerifyDeps } from './verify.ts';
import type { CallRouter, KernelPorts } from './ports.ts';
import { placeComponent, type Placement } from './placement.ts';
import { replacePlacement, type GrantWithdrawals, type Withdrawal } from './grant-withdrawals.ts';
import type { ComponentStatus, Slot } from './slot.ts';
import { SlotTable } from './slot-table.ts';
import { Supervisor } from './supervisor.ts';
import type { SwapDeps, SwapResult } from './swap.ts';
import type { WorkerHost } from './worker-host.ts';
import { inlineStopped, type MoveDeps } from './withdrawal-move.ts';
import { watchForUpdates } from './update-watcher.ts';
import type { SqlBackend } from '../host-api/db/backend.ts';
import { StorageHealth } from '../host-api/db/storage-health.ts';
import type { StoreClient } from './store-client.ts';
import type { HostServices } from '../host-api/index.ts';

export type { KernelOptions } from './kernel-home.ts';

export class Kernel {
  readonly paths: HomePaths;
  readonly config: KernelConfig;
  readonly warnings: string[];
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly patches: PatchQueue;
  readonly supervisor: Supervisor;
  readonly loader: ComponentLoader;
  readonly kv: KvStore;
  readonly db: SqlBackend;
  /** The folder tools work in and the identity files live in. */
  readonly workspace: string;
  /** The kernel's data, through the store component serving in store/<config.store>. */
  readonly store: StoreClient;
  /** Whether the database takes writes now (a lost connection, a full disk), as statements found. */
  readonly storage = new StorageHealth();
  readonly services: HostServices;
  /** Named secrets (encrypted at rest): placed into granted http requests, never given to a component. */
  readonly secrets: SecretStore;
  /** Cuts stored secrets and known key formats out of what reaches a model, a log, a channel or the store. */
  readonly leaks: LeakGuard;
  readonly #unwatchSecrets: () => void;
  /** The binaries built from components/ by this installation: they alone run inline without a grant. */
  readonly builtins: BuiltinDigests;
  /** Inline grants withdrawn after repeated stops: those components run in a worker (grant-withdrawals.ts). */
  readonly withdrawals: GrantWithdrawals;
  /** Every slot's call figures, and a sample of whole calls: what a patch is verified and judged against. */
  readonly recorder: CallRecorder;
  /** One-off tools the agent writes, run in a worker and dropped (kernel/jit-tools.ts). */
  readonly jit: JitTools;
  /** The monitor proposing faster versions from the recorded telemetry (kernel/optimiser.ts). */
  readonly optimiser: Optimiser = new Optimiser(this);
  readonly #recordedFile: string;
  readonly #slots: SlotTable;
  readonly #workers: WorkerHost;
  readonly #chatter: ChatterLimiter;
  #closed = false;
  readonly #placing: PlacingDeps;
  #storeAttached = false;
  readonly #patchFlow: PatchFlow;
  #callRouter: CallRouter | undefined;

  private constructor(init: KernelHome) {
    this.builtins = init.builtins;
    this.withdrawals = init.withdrawals;
    this.paths = init.paths;
    this.config = init.config;
    this.warnings = init.warnings;
    this.bus = init.bus;
    this.logger = init.logger;
    this.registry = init.registry;
    this.patches = init.patches;
    this.supervisor = new Supervisor(this.bus);
    this.loader = new ComponentLoader(this.paths.cache);
    this.kv = new KvStore(this.paths.kv);
    this.db = init.db;
    this.workspace = this.config.workspace || path.join(this.paths.home, 'workspace');
    this.secrets = init.secrets;
    const warn = (message: string) => this.#warn(message);
    const wired = wireServices(this, (kind, name, fn, args, options) => this.call(kind, name, fn, args, options), warn);
    ({ services: this.services, leaks: this.leaks, store: this.store, chatter: this.#chatter, workers: this.#workers } = wired);
    this.#unwatchSecrets = this.secrets.watch();
    this.#slots = new SlotTable(this.paths.deployments, { swapDeps: () => this.#swapDeps(), served: (slot) => this.#attachStore(slot) });
    const { loader, services, builtins, config, bus, withdrawals } = this;
    const moves: MoveDeps = { withdrawals, config, bus, warn, slot: (key) => this.#slots.get(key), createDeployment: (m) => this.createDeployment(m) };
    const stopped = (m: PublishedManifest, grant: string) => inlineStopped(moves, m, grant);
    this.#placing = { loader, services, builtins, config, bus, workers: this.#workers, warn, inlineStopped: stopped };
    this.jit = new JitTools({ cacheDir: this.paths.cache, probe: (m, wasm) => this.probeFor(m, wasm), publish: (built) => publishComponent(this, built) });
    this.recorder = CallRecorder.configured(this.config, (text, slot) => this.leaks.redact(text, `recorded:${slot}`));
    this.#recordedFile = path.join(this.paths.home, 'recorded-calls.bin');
    this.#patchFlow = new PatchFlow({
      registry: this.registry,
      patches: this.patches,
      bus: this.bus,
      autoApprove: () => this.config.autoApprovePatches,
      slot: (key) => this.#slots.get(key),
      swapDeps: () => this.#swapDeps(),
      deployManifest: (manifest) => this.deployManifest(manifest),
      record: (slot) => this.#slots.record(slot),
      verify: (old, next, equivalences) => verifyVersions(old, next, this.recorder.calls(slotKey(next.kind, next.name)), equivalences, this.#verifyDeps()),
      canary: () => this.config,
      stats: (slot, version) => this.recorder.stats(slot, version),
      kindStats: (slot, version, kind) => this.recorder.kindStats(slot, version, kind),
    });
  }

  static async open(options: KernelOptions = {}): Promise<Kernel> {
    const kernel = new Kernel(await openKernelHome(options));
    if (kernel.config.recordPersist) await loadRecordedCalls(kernel.#recordedFile, kernel.recorder);
    logBusEvents(kernel.bus, kernel.logger);
    return kernel;
  }

  // ---- slots and calls -------------------------------------------------------------------

  slot(kind: string, name: string): Slot {
    return this.#slots.slot(kind, name);
  }

  /** The manifest of the version serving kind/name, if one does (a lookup: no slot is created). */
  serving(kind: string, name: string): PublishedManifest | undefined {
    return this.#slots.get(slotKey(kind, name))?.active?.manifest;
  }

  /** The manifests serving components of one kind, in the order components() lists them (no status built). */
  servingOfKind(kind: ComponentKind): PublishedManifest[] {
    return this.#slots.servingOfKind(kind);
  }

  /** Calls an exported function of the serving version of kind/name (a tool call may run on a mesh peer). */
  call(kind: ComponentKind, name: string, fn: string, args: unknown[], options?: CallOptions): Promise<unknown> {
    if (this.#callRouter && kind === 'tool' && !this.#closed) {
      const active = this.#slots.get(slotKey(kind, name))?.active;
      return this.#callRouter({ kind, name, fn, args, options, manifest: active?.manifest }, () => this.callLocal(kind, name, fn, args, options));
    }
    return this.callLocal(kind, name, fn, args, options);
  }

  /**
   * Plugs in what implements the kernel's ports (kernel/ports.ts; the mesh does, at start) and
   * returns the function that unplugs them. One set at a time: a second would fight the first.
   */
  plug(ports: KernelPorts): () => void {
    if (this.#callRouter || this.services.mesh) throw new TitanError('TITAN_E_USAGE', 'this kernel already has its ports plugged (a mesh runs beside it)');
    this.#callRouter = ports.toolCalls;
    this.services.mesh = ports.mesh;
    return () => {
      this.#callRouter = undefined;
      this.services.mesh = undefined;
    };
  }

  /** Calls kind/name on this node, never routed to a peer. */
  callLocal(kind: ComponentKind, name: string, fn: string, args: unknown[], options?: CallOptions): Promise<unknown> {
    if (this.#closed) return Promise.reject(new TitanError('TITAN_E_SHUTTING_DOWN', 'the kernel is shutting down'));
    const slot = this.#slots.get(slotKey(kind, name));
    const active = slot?.active;
    if (!slot || !active) return Promise.reject(new TitanError('TITAN_E_SLOT_EMPTY', `no ${kind} named "${name}" is deployed`));
    return callSlot(this.recorder, slot, active, fn, args, options);
  }

  /** Runs a tool with a JSON value as input and returns its JSON answer. */
  async invokeTool(name: string, input: unknown, options?: CallOptions): Promise<unknown> {
    const output = (await this.call('tool', name, 'invoke', [JSON.stringify(input)], options)) as string;
    try {
      return JSON.parse(output);
    } catch {
      throw new TitanError('TITAN_E_RESULT_INVALID', `tool "${name}" answered with text that is not JSON (a tool's invoke returns JSON)`);
    }
  }

  components(): ComponentStatus[] {
    return this.#slots.sorted().map((slot) => {
      const withdrawn = slot.active && this.placement(slot.active.manifest).withdrawal;
      return withdrawn ? { ...slot.status(), withdrawn } : slot.status();
    });
  }

  /** The owner grants kind/name inline again after the kernel withdrew it; it serves inline again if config still grants it. */
  async regrant(kind: ComponentKind, name: string): Promise<Withdrawal[]> {
    const key = slotKey(kind, name);
    const lifted = await this.withdrawals.regrant(key);
    if (!lifted.length) throw new TitanError('TITAN_E_NOT_FOUND', `${key} has no withdrawn inline grant`, { fix: 'titan components lists where each runs' });
    await this.#replacePlacement(key);
    return lifted;
  }

  #replacePlacement(key: string): Promise<boolean> {
    const slot = this.#slots.get(key);
    return slot ? replacePlacement(slot, (m) => this.createDeployment(m)) : Promise.resolve(false);
  }

  /** Log lines and events dropped per component version and kind, since the kernel opened. */
  chatterDrops(): ChatterDrops {
    return this.#chatter.drops();
  }

  // ---- deploying -------------------------------------------------------------------------

  /** A deployment of a published version, as the registry holds it (kernel/registry-deployment.ts). */
  async createDeployment(manifest: PublishedManifest, standby?: Deployment): Promise<Deployment> {
    if (this.#closed) throw new TitanError('TITAN_E_SHUTTING_DOWN', 'the kernel is shutting down');
    return registryDeployment(this.registry, manifest, standby, (stored, wasm) => this.deploymentFor(stored, wasm));
  }

  /** A deployment of a binary and its manifest, placed inline or in a worker (see placement.ts). */
  async deploymentFor(manifest: PublishedManifest, wasm: Uint8Array | (() => Promise<Uint8Array>)): Promise<Deployment> {
    return this.#deploy(manifest, wasm, this.placement(manifest));
  }

  /**
   * A deployment to smoke-test or verify a binary with: always in a worker under a time limit, a
   * built-in too (a patched or corrupted one must not freeze the kernel before it ever serves).
   */
  async probeFor(manifest: PublishedManifest, wasm: Uint8Array | (() => Promise<Uint8Array>)): Promise<Deployment> {
    return this.#deploy(manifest, wasm, { isolation: 'worker', reason: this.placement(manifest).reason });
  }

  /** Where this manifest's binary runs here, and why. */
  placement(manifest: PublishedManifest): Placement {
    return placeComponent(manifest, this.builtins.has(manifest.digest), this.config.inlineGrants, (grant) => this.withdrawals.of(grant));
  }

  async #deploy(manifest: PublishedManifest, wasm: Uint8Array | (() => Promise<Uint8Array>), placement: Placement): Promise<Deployment> {
    if (this.#closed) throw new TitanError('TITAN_E_SHUTTING_DOWN', 'the kernel is shutting down');
    return placeDeployment(this.#placing, manifest, wasm, placement);
  }

  #warn(message: string): void {
    this.logger.warn(message);
    this.bus.emit('kernel.warning', { message });
  }

  #verifyDeps(): VerifyDeps {
    const read = (m: PublishedManifest) => () => this.registry.readBlob(m);
    const smoke = async (m: PublishedManifest) => {
      const probe = await this.probeFor(m, read(m));
      await smokeTest(probe).finally(() => probe.close());
    };
    return { replayDeployment: (m) => replayDeployment(this.#placing, m, read(m)), smoke, latencyTolerance: this.config.verifyLatencyTolerance };
  }

  #swapDeps(): SwapDeps {
    return {
      createDeployment: (m, standby) => this.createDeployment(m, standby),
      probe: async (m, next) => (next.isolation === 'worker' ? next : this.probeFor(m, () => this.registry.readBlob(m))),
      bus: this.bus,
    };
  }

  /** Swaps kind/name to the registry version `range` resolves to (highest non-yanked match). */
  async deploy(ref: ComponentRef & { kind: ComponentKind }): Promise<SwapResult> {
    const manifest = await this.registry.resolve(ref);
    return this.deployManifest(manifest);
  }

  /** Swaps to this version and records it as serving. */
  deployManifest(manifest: PublishedManifest): Promise<SwapResult> {
    return this.#slots.deployManifest(manifest);
  }

  /** Once the kernel's store serves, the patch queue lives in it. */
  async #attachStore(slot: Slot): Promise<void> {
    if (slot.kind !== 'store' || slot.name !== this.config.store || this.#storeAttached) return;
    this.#storeAttached = true;
    await this.patches.useStore(this.store);
  }

  rollback(kind: string, name: string): Promise<SwapResult> {
    return this.#slots.rollback(kind, name);
  }

  /** Gives the serving slots restored without instances (those `only` names) their first one (after ready, in the background). */
  warmRestored(only?: (slot: string) => boolean): Promise<void> {
    return this.#slots.warm(() => this.#closed, only);
  }

  /** Brings back the versions recorded as serving (`only`: a CLI read's, the store); returns the slots that failed. */
  restoreDeployments(only?: (slot: string) => boolean): Promise<Array<{ slot: string; error: TitanError }>> {
    return this.#slots.restore(this.registry, (manifest) => this.placement(manifest).isolation, only);
  }

  // ---- patches (kernel/patch-flow.ts) ----------------------------------------------------

  /** Proposes and verifies (kernel/verify.ts): the report is on the patch it returns. */
  proposePatch(ref: ComponentRef & { kind: ComponentKind }, actor: Partial<Actor> = {}, options?: ProposeOptions): Promise<Patch> {
    return this.#patchFlow.propose(ref, actor, options);
  }

  /** Replays the recorded calls again (more may have been recorded since it was proposed). */
  verifyPatch(id: string): Promise<Patch> {
    return this.#patchFlow.verify(id);
  }

  /** A patch that failed verification is approved only with `override`, the reason, recorded on it. */
  approvePatch(id: string, actor: Partial<Actor> = {}, override?: string): Promise<Patch> {
    return this.#patchFlow.approve(id, actor, override);
  }

  rejectPatch(id: string, actor: Partial<Actor> = {}): Promise<Patch> {
    return this.#patchFlow.reject(id, actor);
  }

  /** Deploys an approved patch; a failed swap marks it failed and leaves the old version serving. */
  deployPatch(id: string, actor: Partial<Actor> = {}): Promise<Patch> {
    return this.#patchFlow.deploy(id, actor);
  }

  /** Rolls a deployed patch back: the slot returns to the version that served before it. */
  rollbackPatch(id: string, actor: Partial<Actor> = {}): Promise<Patch> {
    return this.#patchFlow.rollback(id, actor);
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** Proposes a patch whenever the registry gains a newer version of a serving component. */
  startUpdateWatcher(intervalMs = 2000): void {
    this.supervisor.run('update-watcher', (signal) => watchForUpdates(this, signal, intervalMs));
  }

  /** The long-running server's loops: the recorded calls saved every minute, and the monitor (config optimise). */
  startSelfOptimising(): void {
    if (this.config.recordPersist) this.supervisor.run('recorded-calls', (signal) => keepRecordedCalls(this.#recordedFile, this.recorder, signal, 60_000));
    if (this.config.optimise) this.supervisor.run('optimiser', (signal) => this.optimiser.run(signal));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unwatchSecrets();
    await this.supervisor.stop();
    cancelAllCommands('the kernel is stopping');
    await Promise.all([...this.#slots.values()].flatMap((slot) => [slot.active?.close(), slot.standby?.close()]));
    await this.#workers.close();
    await this.jit.close();
    if (this.config.recordPersist)
      await saveRecordedCalls(this.#recordedFile, this.recorder).catch((e: Error) => this.logger.warn(`recorded calls not kept: ${e.message}`));
    await this.patches.settle();
    await this.kv.flush();
    await this.db.close();
    await closeLogger(this.logger);
  }
}
