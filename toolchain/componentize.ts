// JavaScript + world -> component (.wasm), with QuickJS (default: 0.85 s, 1.6 MB, fast calls) or
// StarlingMonkey (selectable: slower to build and call, fuller JS engine). Cached by the sha256
// of everything that shapes the output: source, world, backend and backend version.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TitanError } from '../common/errors.ts';
import { sha256 } from '../common/digest.ts';
import type { Backend } from '../registry/manifest.ts';
import type { DiskCache } from './disk-cache.ts';
import type { BuildWorld } from './wit-packages.ts';

const BACKEND_PACKAGE: Record<Backend, string> = {
  quickjs: 'componentize-qjs',
  starlingmonkey: '@bytecodealliance/componentize-js',
};

function backendVersion(backend: Backend): string {
  const file = fileURLToPath(new URL(`../node_modules/${BACKEND_PACKAGE[backend]}/package.json`, import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

export type Componentized = { wasm: Uint8Array; cached: boolean; key: string };

export type GuestInput = { js: string; file: string; sourceDigest: string; moduleRoot: string };

export async function componentizeCached(source: GuestInput, world: BuildWorld, backend: Backend, cache: DiskCache): Promise<Componentized> {
  const key = sha256('componentize/2', backend, backendVersion(backend), world.key, source.sourceDigest, source.js);
  const hit = await cache.get(key, '.wasm');
  if (hit) return { wasm: hit, cached: true, key };
  const wasm = await componentize(source, world, backend);
  await cache.put(key, wasm, '.wasm');
  return { wasm, cached: false, key };
}

async function componentize({ js, file, moduleRoot }: GuestInput, world: BuildWorld, backend: Backend): Promise<Uint8Array> {
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
