// JavaScript + world -> component (.wasm), with QuickJS (default: 0.85 s, 1.6 MB, fast calls) or
// StarlingMonkey (selectable: slower to build and call, fuller JS engine; an optional install, since
// it weighs about 70 MB). Cached by the sha256 of everything that shapes the output: source, world,
// backend and backend version. A built-in shipped prebuilt in the package counts as a cache hit.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TitanError } from '../common/errors.ts';
import { sha256 } from '../common/digest.ts';
import type { Backend } from '../registry/manifest.ts';
import type { DiskCache } from './disk-cache.ts';
import { readPrebuilt } from './prebuilt.ts';
import type { BuildWorld } from './wit-packages.ts';

const BACKEND_PACKAGE: Record<Backend, string> = {
  quickjs: 'componentize-qjs',
  starlingmonkey: '@bytecodealliance/componentize-js',
};

function backendVersion(backend: Backend): string {
  const name = BACKEND_PACKAGE[backend];
  let entry: string;
  try {
    // Resolved the way Node will load it, wherever npm placed it (a global install nests it).
    entry = fileURLToPath(import.meta.resolve(name));
  } catch {
    throw new TitanError('TITAN_E_BACKEND_MISSING', `the ${backend} backend (${name}) is not installed`, {
      fix: `install it beside Titan (npm install ${name}${backend === 'starlingmonkey' ? '@0.23.0' : ''}), or build with the default backend (quickjs)`,
    });
  }
  // Its package.json is not among its exports: the nearest one above the entry that bears its name.
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = readPackageJson(path.join(dir, 'package.json'));
    if (manifest?.name === name) return manifest.version;
  }
  throw new TitanError('TITAN_E_BACKEND_MISSING', `the ${backend} backend (${name}) has no readable package.json above ${entry}`);
}

function readPackageJson(file: string): { name?: string; version: string } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
  } catch {
    return undefined;
  }
}

export type Componentized = { wasm: Uint8Array; cached: boolean; key: string };

export type GuestInput = { js: string; file: string; sourceDigest: string; moduleRoot: string };

/** Builds a component from source; the build pool runs the same function in its threads. */
export type Compile = (source: GuestInput, world: BuildWorld, backend: Backend) => Promise<Uint8Array>;

/** The cache key of a build: everything that shapes the output. */
export function componentizeKey(source: GuestInput, world: BuildWorld, backend: Backend): string {
  return sha256('componentize/2', backend, backendVersion(backend), world.key, source.sourceDigest, source.js);
}

export async function componentizeCached(
  source: GuestInput,
  world: BuildWorld,
  backend: Backend,
  cache: DiskCache,
  compile: Compile = componentizeSource,
): Promise<Componentized> {
  const key = componentizeKey(source, world, backend);
  const hit = await cache.get(key, '.wasm');
  if (hit) return { wasm: hit, cached: true, key };
  const shipped = await readPrebuilt(key);
  if (shipped) {
    // Kept in the cache as if built here: later starts find it (and its digest) without unpacking again.
    await cache.put(key, shipped, '.wasm');
    return { wasm: shipped, cached: true, key };
  }
  const wasm = await compile(source, world, backend);
  await cache.put(key, wasm, '.wasm');
  return { wasm, cached: false, key };
}

export async function componentizeSource({ js, file, moduleRoot }: GuestInput, world: BuildWorld, backend: Backend): Promise<Uint8Array> {
  try {
    if (backend === 'quickjs') {
      const { componentize: qjs } = await import('componentize-qjs');
      // stubWasi: the guest gets no WASI at all, so its only imports are Titan's. jsPath and
      // moduleRoot let the entry import other modules, resolved once at build time.
      const { component } = await qjs({
        witPath: world.witDir,
        world: world.worldName,
        jsSource: js,
        jsPath: file,
        moduleRoot,
        sync: true,
        stubWasi: true,
      });
      return component;
    }
    const { componentize: sm } = await import('@bytecodealliance/componentize-js');
    // No sourcePath: given one, StarlingMonkey loads the module from that file instead of `js`.
    const options = { witPath: world.witDir, worldName: world.worldName, disableFeatures: ['random', 'stdio', 'clocks', 'http', 'fetch-event'] };
    const { component } = await sm(js, options as Parameters<typeof sm>[1] & object);
    return component;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TitanError('TITAN_E_BUILD_FAILED', `${backend} could not build the component: ${message.split('\n').slice(0, 6).join(' | ')}`);
  }
}
