// Registry manifest + blob -> a component that can make instances. Every step is cached by
// digest: inspection and glue in memory, transpiled output on disk, compiled core modules in memory
// (keyed with the memory cap, since the cap rewrites the modules).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../common/atomic-file.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import { inspectComponent, type ComponentShape } from '../toolchain/inspect.ts';
import { transpileCached, type Transpiled } from '../toolchain/transpile.ts';
import { witPackages } from '../toolchain/wit-packages.ts';
import { planLink, type LinkPlan } from './link-plan.ts';
import { boundedStrings } from './bounded-strings.ts';
import { loadGlue, type GlueFactory, type InstantiateGlue } from './module-loader.ts';
import { compileAll } from './compile-cores.ts';

export const DEFAULT_MEMORY_MB = 64;
/** Without a kernel's ceiling (a loader used on its own): 16 MiB, the kernel's default. */
export const DEFAULT_MAX_RESULT_BYTES = 16 * 1024 * 1024;
const CACHE_ENTRIES = 64;
/** Bumped when inspection changes what it reports, so older cached shapes are not reused. */
const SHAPE_FORMAT = 'shape1';

/** What a worker deployment needs: the transpiled folder, whose modules it compiles on first use and hands to its threads (module-handover.ts), which load its glue themselves. */
export type WorkerComponent = {
  manifest: PublishedManifest;
  /** The limits it runs under: the manifest's, completed with the kernel's defaults. */
  limits: NonNullable<PublishedManifest['limits']>;
  plan: LinkPlan;
  /** The transpiled folder (workers load from it). Its core bytes and glue source are not kept once
   * compiled: held for every loaded component they were about 5 MB of an idle Titan's RSS. */
  transpiled: Pick<Transpiled, 'key' | 'dir'>;
  memoryMb: number;
  /** The longest string (UTF-8 bytes) that may leave an instance; longer ones are refused unread. */
  maxResultBytes: number;
};

/** A component instantiated in the kernel's own thread: its glue and compiled core modules too. */
export type LoadedComponent = WorkerComponent & {
  glue: InstantiateGlue;
  modules: ReadonlyMap<string, WebAssembly.Module>;
};

/** A Map that forgets its oldest entry past a size: caches stay bounded however many swaps run. */
class BoundedCache<V> extends Map<string, V> {
  readonly #limit: number;
  constructor(limit: number) {
    super();
    this.#limit = limit;
  }
  override set(key: string, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.#limit) this.delete(this.keys().next().value as string);
    return this;
  }
}

export class ComponentLoader {
  readonly #cacheDir: string;
  readonly #shapes = new BoundedCache<Promise<ComponentShape>>(CACHE_ENTRIES);
  readonly #glue = new BoundedCache<GlueFactory>(CACHE_ENTRIES);
  readonly #modules = new BoundedCache<Promise<Map<string, WebAssembly.Module>>>(CACHE_ENTRIES);
  /** Fully loaded components by (digest, link options, memory cap): a swap back costs no I/O. */
  readonly #ready = new BoundedCache<Pick<LoadedComponent, 'transpiled' | 'glue' | 'modules'>>(CACHE_ENTRIES);
  #supported: Promise<Set<string>> | undefined;

  constructor(cacheDir: string) {
    this.#cacheDir = cacheDir;
  }

  /** The WIT packages this kernel links: every version under wit/. */
  supportedWitPackages(): Promise<Set<string>> {
    this.#supported ??= witPackages().then((all) => new Set(all.keys()));
    return this.#supported;
  }

  inspect(digest: string, wasm: Uint8Array | (() => Promise<Uint8Array>)): Promise<ComponentShape> {
    let shape = this.#shapes.get(digest);
    if (!shape) {
      shape = this.#inspectOnDisk(digest, wasm);
      this.#shapes.set(digest, shape);
      shape.catch(() => this.#shapes.delete(digest));
    }
    return shape;
  }

  /** Decoding a binary's world costs tens of ms (and loading jco): a start reads what the last one
   * found, kept by the blob's digest (the blob itself is re-hashed by the registry on every read). */
  async #inspectOnDisk(digest: string, wasm: Uint8Array | (() => Promise<Uint8Array>)): Promise<ComponentShape> {
    const file = path.join(this.#cacheDir, 'shapes', `${SHAPE_FORMAT}-${digest.replace(/^sha256:/, '')}.json`);
    const cached = await readJsonFile<ComponentShape | null>(file, null).catch(() => null);
    if (cached && Array.isArray(cached.imports) && Array.isArray(cached.exports)) return cached;
    const shape = await inspectComponent(typeof wasm === 'function' ? await wasm() : wasm);
    // A cache: failing to keep it costs only time.
    await mkdir(path.dirname(file), { recursive: true })
      .then(() => writeJsonAtomic(file, shape))
      .catch(() => {});
    return shape;
  }

  /**
   * Inspects and transpiles a binary into the disk caches `load` reads, without loading or compiling
   * it: a build process prepares its own output this way, so the kernel that publishes it never
   * loads jco and its minifier (about 110 MB and two threads that stay for good once loaded).
   */
  async prepare(manifest: PublishedManifest, wasm: Uint8Array): Promise<void> {
    const plan = planLink(manifest, await this.inspect(manifest.digest, wasm), await this.supportedWitPackages());
    await transpileCached(wasm, manifest.digest, plan.transpile, this.#cacheDir);
  }

  /**
   * A binary that will not run here again (refused at publish, a build discarded by its guard): its
   * compiled modules and glue are dropped now, not when 64 newer loads have pushed them out (about
   * 5 MB each for a reflex).
   */
  forget(digest: string): void {
    for (const [key, loaded] of this.#ready) {
      if (!key.startsWith(`${digest}/`)) continue;
      this.#ready.delete(key);
      this.#glue.delete(loaded.transpiled.key);
      for (const modules of this.#modules.keys()) if (modules.startsWith(`${loaded.transpiled.key}/`)) this.#modules.delete(modules);
    }
    this.#shapes.delete(digest);
  }

  /**
   * `wasm` may be a reader: a component loaded before in this process (its blob verified then) is
   * served from memory without reading or re-hashing the blob again. `syncHosts`: see planLink.
   */
  async load(manifest: PublishedManifest, wasm: Uint8Array | (() => Promise<Uint8Array>), syncHosts?: ReadonlySet<string>): Promise<LoadedComponent> {
    const { placed, key, who, transpile } = await this.#plan(manifest, wasm, syncHosts);
    const ready = this.#ready.get(key);
    if (ready) return { ...placed, ...ready };
    const transpiled = await transpile();
    let factory = this.#glue.get(transpiled.key);
    if (!factory) {
      factory = await loadGlue(transpiled.dir, transpiled.js);
      this.#glue.set(transpiled.key, factory);
    }
    const glue = factory(boundedStrings(who, placed.maxResultBytes));
    const modules = await this.#compile(transpiled, placed.memoryMb, who);
    const loaded = { transpiled: { key: transpiled.key, dir: transpiled.dir }, glue, modules };
    this.#ready.set(key, loaded);
    return { ...placed, ...loaded };
  }

  /**
   * A component for the worker pool: planned and transpiled (on disk), neither compiled nor its glue
   * loaded here, nor its modules cached: its deployment compiles them once for its threads and lets
   * them go once they hold them (module-handover.ts). Cached here, they (about 6 MB for a reflex, more
   * with the code its threads compiled into them) stayed in this thread for as long as it served,
   * where its threads give theirs back when they exit.
   */
  async loadForWorkers(manifest: PublishedManifest, wasm: Uint8Array | (() => Promise<Uint8Array>)): Promise<WorkerComponent> {
    const { placed, transpile } = await this.#plan(manifest, wasm);
    const transpiled = await transpile();
    return { ...placed, transpiled: { key: transpiled.key, dir: transpiled.dir } };
  }

  async #plan(manifest: PublishedManifest, wasm: Uint8Array | (() => Promise<Uint8Array>), syncHosts?: ReadonlySet<string>) {
    let bytes: Promise<Uint8Array> | undefined;
    const read = () => (bytes ??= typeof wasm === 'function' ? wasm() : Promise.resolve(wasm));
    const shape = await this.inspect(manifest.digest, read);
    const plan = planLink(manifest, shape, await this.supportedWitPackages(), syncHosts);
    const memoryMb = manifest.limits?.memoryMb ?? DEFAULT_MEMORY_MB;
    const maxResultBytes = manifest.limits?.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
    const who = `${manifest.kind}/${manifest.name}@${manifest.version}`;
    const key = `${manifest.digest}/${JSON.stringify(plan.transpile)}/${memoryMb}/${maxResultBytes}/${who}`;
    const placed = { manifest, limits: manifest.limits ?? {}, plan, memoryMb, maxResultBytes };
    return { placed, key, who, transpile: async () => transpileCached(await read(), manifest.digest, plan.transpile, this.#cacheDir) };
  }

  #compile(transpiled: Transpiled, memoryMb: number, who: string): Promise<Map<string, WebAssembly.Module>> {
    const key = `${transpiled.key}/${memoryMb}`;
    let compiled = this.#modules.get(key);
    if (!compiled) {
      compiled = compileAll(transpiled.cores, memoryMb, who);
      this.#modules.set(key, compiled);
      compiled.catch(() => this.#modules.delete(key));
    }
    return compiled;
  }
}
