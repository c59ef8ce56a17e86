// A restored version that loads on its first use: a start brings back what the deployments file
// records as serving without reading, re-hashing, transpiling or compiling each binary, so ready
// comes sooner and what is never called (a channel nobody configured, a provider not chosen)
// costs no memory. Its first call (or warm) creates the real deployment, checked exactly as a
// restore always checked it; a load that fails fails that call with its error and the next call
// tries again.
import type { PublishedManifest } from '../registry/manifest.ts';
import type { CallOptions, Deployment } from './deployment.ts';
import type { PoolStats } from './pool.ts';

const NOT_LOADED: PoolStats = { live: 0, idle: 0, busy: 0, waiting: 0, created: 0, discarded: 0, max: 0 };

export class LazyDeployment implements Deployment {
  readonly manifest: PublishedManifest;
  readonly isolation: 'inline' | 'worker';
  readonly #create: () => Promise<Deployment>;
  #loading: Promise<Deployment> | undefined;
  #loaded: Deployment | undefined;
  #closed = false;

  constructor(manifest: PublishedManifest, isolation: 'inline' | 'worker', create: () => Promise<Deployment>) {
    this.manifest = manifest;
    this.isolation = isolation;
    this.#create = create;
  }

  /** Whether the binary has been loaded (by a call or a warm). */
  get loaded(): boolean {
    return this.#loaded !== undefined;
  }

  #load(): Promise<Deployment> {
    this.#loading ??= this.#create().then(
      (deployment) => {
        // Closed while loading (a swap replaced it, the kernel stopped): freed at once.
        if (this.#closed) void deployment.close();
        else this.#loaded = deployment;
        return deployment;
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  call(fn: string, args: unknown[], options?: CallOptions): Promise<unknown> {
    if (this.#loaded) return this.#loaded.call(fn, args, options);
    return this.#load().then((deployment) => deployment.call(fn, args, options));
  }

  async exports(fn: string): Promise<boolean> {
    return (await this.#load()).exports(fn);
  }

  async warm(instances: number): Promise<void> {
    await (await this.#load()).warm(instances);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const loading = this.#loading;
    if (!loading) return;
    await loading.then(
      (deployment) => deployment.close(),
      () => {},
    );
  }

  stats(): PoolStats {
    return this.#loaded?.stats() ?? NOT_LOADED;
  }
}
