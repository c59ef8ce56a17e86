// `titan build DIR`: a component folder (component.json + source) -> a component binary.
import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { TitanError } from '../common/errors.ts';
import { byCodeUnits } from '../common/code-order.ts';
import { contentDigest } from '../common/digest.ts';
import { validateSourceManifest, type Backend, type SourceManifest } from '../registry/manifest.ts';
import { BuildPool } from './build-pool.ts';
import { componentizeCached, componentizeKey, type Compile } from './componentize.ts';
import { DiskCache } from './disk-cache.ts';
import { readGuestSource } from './source.ts';
import { silentProgress, type ProgressReporter } from './progress.ts';
import { prepareBuildWorld } from './wit-packages.ts';

export type BuiltComponent = {
  dir: string;
  manifest: SourceManifest;
  backend: Backend;
  wasm: Uint8Array;
  digest: string;
  sourceDigest: string;
  /** The build cache key (what the prebuilt built-ins are looked up by). */
  key: string;
  cached: boolean;
  ms: number;
};

export type BuildOptions = { cacheDir: string; backend?: Backend /** Where a cache miss compiles (default: this thread). */; compile?: Compile };

export async function readSourceManifest(dir: string): Promise<SourceManifest> {
  const file = path.join(dir, 'component.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new TitanError('TITAN_E_SOURCE_MISSING', `${file} does not exist: a component folder needs a component.json`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TitanError('TITAN_E_MANIFEST_INVALID', `${file} is not JSON: ${(error as Error).message}`);
  }
  return validateSourceManifest(json, file);
}

export async function buildComponent(dir: string, options: BuildOptions): Promise<BuiltComponent> {
  const started = performance.now();
  const manifest = await readSourceManifest(dir);
  const backend = options.backend ?? manifest.backend ?? 'quickjs';
  const source = await readGuestSource(dir, manifest.source);
  const world = await prepareBuildWorld(manifest.world, Object.keys(manifest.capabilities), options.cacheDir);
  const cache = new DiskCache(path.join(options.cacheDir, 'components'));
  const key = componentizeKey(source, world, backend);
  const known = await cachedBuild(cache, key, {
    dir,
    manifest,
    backend,
    sourceDigest: source.sourceDigest,
    key,
    ms: performance.now() - started,
  });
  if (known) return known;
  const built = await componentizeCached(source, world, backend, cache, options.compile);
  await cache.put(built.key, contentDigest(built.wasm), '.digest');
  return {
    dir,
    manifest,
    backend,
    wasm: built.wasm,
    digest: contentDigest(built.wasm),
    sourceDigest: source.sourceDigest,
    key: built.key,
    cached: built.cached,
    ms: performance.now() - started,
  };
}

/**
 * A build found in the cache with its digest recorded beside it, its bytes read only when something
 * asks for them. A start checks every built-in this way after ready, and most are already published:
 * reading each one's 1-2 MB only to hash it held about 38 MB of buffers until some later GC.
 */
async function cachedBuild(cache: DiskCache, key: string, found: Omit<BuiltComponent, 'wasm' | 'digest' | 'cached'>): Promise<BuiltComponent | undefined> {
  const digest = (await cache.get(key, '.digest'))?.toString('utf8');
  const file = cache.file(key, '.wasm');
  if (!digest || !existsSync(file)) return undefined;
  let wasm: Uint8Array | undefined;
  return {
    ...found,
    digest,
    cached: true,
    // Read at most once, by what publishes it (rare: the first start, an update). Never spread this object.
    get wasm() {
      return (wasm ??= readFileSync(file));
    },
  };
}

/**
 * Builds several folders at once, on a pool of one worker thread per core, reporting each as it
 * finishes; the results keep the order of `dirs`. Folders found in the cache never wait for a thread.
 */
export async function buildComponents(dirs: string[], options: BuildOptions & { progress?: ProgressReporter }): Promise<BuiltComponent[]> {
  const progress = options.progress ?? silentProgress;
  progress.start(dirs.length, 'building components');
  // Threads start only when a build misses the cache, so a warm start pays nothing for the pool.
  let pool: BuildPool | undefined;
  const compile: Compile = (source, world, backend) => (pool ??= new BuildPool()).compile(source, world, backend);
  try {
    const results = await Promise.all(
      dirs.map(async (dir) => {
        const built = await buildComponent(dir, { ...options, compile: dirs.length > 1 ? compile : undefined });
        const { name, version } = built.manifest;
        progress.step(`${built.manifest.kind}/${name}@${version}`, built.cached ? 'cached' : `${Math.round(built.ms)} ms`);
        return built;
      }),
    );
    const fresh = results.filter((r) => !r.cached).length;
    progress.done(`${results.length} built (${fresh} compiled, ${results.length - fresh} from cache)`);
    return results;
  } finally {
    await pool?.close();
  }
}

/** Component folders under a root: any directory holding a component.json, two levels deep at most. */
export async function findComponentDirs(root: string, depth = 2): Promise<string[]> {
  const found: string[] = [];
  const here = await stat(path.join(root, 'component.json')).catch(() => undefined);
  if (here?.isFile()) return [root];
  if (depth === 0) return found;
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) => byCodeUnits(a.name, b.name))) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') {
      found.push(...(await findComponentDirs(path.join(root, entry.name), depth - 1)));
    }
  }
  return found;
}
