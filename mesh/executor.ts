// Runs a task's component on this node: the serving slot when its version is one the task
// accepts, otherwise that exact version from the registry in a deployment of its own (kept by
// digest, never swapped into a slot), pulled from the sending peer first when the registry lacks it.
import semver from 'semver';
import type { Deployment, Kernel } from '../kernel/api.ts';
import type { ComponentKind, PublishedManifest } from '../registry/manifest.ts';
import { findByDigest, type PullResult } from './component-pull.ts';
import type { ComponentAd, ComponentNeed } from './messages.ts';
import { checkOffloadable, isOffloadable } from './offload-policy.ts';

export type Need = Omit<ComponentNeed, 'version' | 'digest'> & { version?: string; digest?: string };
/** `from`: the peer that sent the task (it must be offloadable; a missing version is pulled from there). */
/** `limitMs` and `signal`: a peer's task is stopped at its time limit or on its sender's cancel, inline calls included. */
export type RunOptions = { from?: string; callId: string; onProgress?: (kind: string, data: string) => void; limitMs?: number; signal?: AbortSignal };

export class LocalExecutor {
  readonly #kernel: Kernel;
  readonly #pull: (peer: string, digest: string) => Promise<PullResult>;
  readonly #deployments = new Map<string, Promise<Deployment>>();
  readonly #progress = new Map<string, (kind: string, data: string) => void>();
  readonly #offs: Array<() => void>;
  /** Offloadable or not, by digest, for the serving components (learnt from their manifests). */
  readonly #offloadable = new Map<string, boolean>();
  pulled = 0;

  constructor(kernel: Kernel, pull: (peer: string, digest: string) => Promise<PullResult>) {
    this.#kernel = kernel;
    this.#pull = pull;
    // A running task's streamed output (exec stdout, emitted events) goes back to whoever sent it.
    this.#offs = [
      kernel.bus.on('component.event', (event) => {
        if (event.callId) this.#progress.get(event.callId)?.(event.kind, event.data);
      }),
      kernel.bus.on('component.deployed', () => void this.learn()),
    ];
  }

  /** Classifies the serving components not yet classified, from their manifests (at start and after each swap). */
  async learn(): Promise<void> {
    for (const c of this.#serving()) {
      if (this.#offloadable.has(c.digest)) continue;
      const manifest = this.#kernel.serving(c.kind, c.name);
      if (manifest?.digest === c.digest) this.#offloadable.set(c.digest, isOffloadable(manifest));
    }
  }

  /** Refuses a peer's task for a serving component that is not offloadable (cached by digest). */
  async #checkServing(c: ComponentAd): Promise<void> {
    if (this.#offloadable.get(c.digest) === true) return;
    const serving = this.#kernel.serving(c.kind, c.name);
    const manifest =
      serving?.digest === c.digest ? serving : await this.#kernel.registry.show({ kind: c.kind as ComponentKind, name: c.name, version: c.version });
    this.#offloadable.set(c.digest, isOffloadable(manifest));
    checkOffloadable(manifest);
  }

  #serving(): ComponentAd[] {
    return this.#kernel.components().flatMap((c) => (c.version && c.digest ? [{ kind: c.kind, name: c.name, version: c.version, digest: c.digest }] : []));
  }

  /** What this node advertises: the serving components it would run for a peer. */
  advertised(): ComponentAd[] {
    return this.#serving().filter((c) => this.#offloadable.get(c.digest) === true);
  }

  /** The serving component when it can take the task as is. */
  serving(need: Need): ComponentAd | undefined {
    const ad = this.#serving().find((c) => c.kind === need.kind && c.name === need.name);
    if (!ad) return undefined;
    if (need.digest && ad.digest === need.digest) return ad;
    return semver.satisfies(ad.version, need.range, { includePrerelease: true }) ? ad : undefined;
  }

  async run(need: Need, fn: string, args: unknown[], options: RunOptions): Promise<unknown> {
    if (options.onProgress) this.#progress.set(options.callId, options.onProgress);
    try {
      const serving = this.serving(need);
      if (serving) {
        if (options.from) await this.#checkServing(serving);
        return await this.#kernel.callLocal(need.kind, need.name, fn, args, callOptions(options));
      }
      const deployment = await this.#deployment(need, options.from);
      return await deployment.call(fn, args, callOptions(options));
    } finally {
      this.#progress.delete(options.callId);
    }
  }

  #deployment(need: Need, from: string | undefined): Promise<Deployment> {
    const key = need.digest ?? `${need.kind}/${need.name}@${need.range}`;
    let deployment = this.#deployments.get(key);
    if (!deployment) {
      deployment = this.#manifest(need, from).then((manifest) => {
        if (from) checkOffloadable(manifest); // before anything of it runs here
        return this.#kernel.createDeployment(manifest);
      });
      this.#deployments.set(key, deployment);
      deployment.catch(() => this.#deployments.delete(key));
    }
    return deployment;
  }

  async #manifest(need: Need, from: string | undefined): Promise<PublishedManifest> {
    if (need.digest) {
      const local = await findByDigest(this.#kernel.registry, need.digest);
      if (local) return local;
      if (from) {
        const pulled = await this.#pull(from, need.digest);
        if (pulled.imported) this.pulled++;
        return pulled.manifest;
      }
    }
    return this.#kernel.registry.resolve({ kind: need.kind as ComponentKind, name: need.name, range: need.range });
  }

  async close(): Promise<void> {
    for (const off of this.#offs) off();
    const deployments = await Promise.allSettled(this.#deployments.values());
    await Promise.all(deployments.map((d) => (d.status === 'fulfilled' ? d.value.close() : undefined)));
  }
}

function callOptions({ callId, limitMs, signal }: RunOptions): { callId: string; limitMs?: number; signal?: AbortSignal } {
  return { callId, ...(limitMs === undefined ? {} : { limitMs }), ...(signal ? { signal } : {}) };
}
