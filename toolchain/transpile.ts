// Component -> loadable module: jco splits the component into core wasm modules plus the JS glue
// that links them. Cached on disk by the sha256 of (component digest, options), so a component is
// transpiled once per machine, and the kernel start-up only reads files.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { TitanError } from '../common/errors.ts';
import { sha256 } from '../common/digest.ts';
import { writeFileAtomic, writeJsonAtomic } from '../common/atomic-file.ts';
import { jcoTranspiler } from './jco.ts';

export type TranspileOptions = {
  /** Host imports that return promises, as "titan:host/kv@0.1.0#get": run through JSPI. */
  asyncImports: string[];
  /** Exports called through JSPI, as "titan:tool/tool@0.1.0#invoke". */
  asyncExports: string[];
};

export type Transpiled = {
  key: string;
  /** The directory holding component.js and the core modules (workers load from here). */
  dir: string;
  js: string;
  cores: Map<string, Uint8Array>;
  jspi: boolean;
};

const GLUE = 'component.js';

export async function transpileCached(bytes: Uint8Array, digest: string, options: TranspileOptions, cacheDir: string): Promise<Transpiled> {
  const jspi = options.asyncImports.length > 0;
  const normalized = jspi ? { asyncImports: [...options.asyncImports].sort(), asyncExports: [...options.asyncExports].sort() } : {};
  const key = sha256('transpile/1', digest, JSON.stringify(normalized));
  const dir = path.join(cacheDir, 'transpiled', key);
  const cached = await readTranspiled(dir);
  if (cached) return { key, dir, jspi, ...cached };

  let files: Record<string, Uint8Array>;
  try {
    // jco's own transpiler (the full jco CLI is a development tool); loaded only on a cache miss.
    const { transpileBytes } = await jcoTranspiler();
    ({ files } = await transpileBytes(bytes, {
      name: 'component',
      instantiation: 'async',
      emitTypescriptDeclarations: false,
      // A guest's error result arrives wrapped in a ComponentError (kernel/guest-errors.ts reads it).
      noComponentErrorWrapping: false,
      ...(jspi ? { asyncMode: 'jspi', ...normalized } : {}),
    }));
  } catch (error) {
    throw new TitanError('TITAN_E_INVALID_COMPONENT', `jco cannot transpile the component: ${String((error as Error).message ?? error).split('\n')[0]}`);
  }
  const cores = new Map<string, Uint8Array>();
  await mkdir(dir, { recursive: true });
  for (const [name, data] of Object.entries(files)) {
    if (!name.endsWith('.wasm')) continue;
    cores.set(name, data);
    await writeFileAtomic(path.join(dir, name), data);
  }
  const js = Buffer.from(files[GLUE]).toString('utf8');
  // The glue is written last: its presence marks a complete entry.
  await writeJsonAtomic(path.join(dir, 'meta.json'), { digest, ...normalized });
  await writeFileAtomic(path.join(dir, GLUE), js);
  return { key, dir, jspi, js, cores };
}

export async function readTranspiled(dir: string): Promise<{ js: string; cores: Map<string, Uint8Array> } | undefined> {
  let js: string;
  try {
    js = await readFile(path.join(dir, GLUE), 'utf8');
  } catch {
    return undefined;
  }
  const cores = new Map<string, Uint8Array>();
  for (const name of await readdir(dir)) {
    if (name.endsWith('.wasm')) cores.set(name, await readFile(path.join(dir, name)));
  }
  return { js, cores };
}
