// Turns transpiled glue into an instantiate function without ever import()-ing generated code:
// Node never unloads ES modules (about 1.2 MB leaked per swap), while a vm.Script is collected.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import vm from 'node:vm';
import { writeFileAtomic } from '../common/atomic-file.ts';
import { UNBOUNDED, type StringBounds } from './bounded-strings.ts';

export type ImportTable = Record<string, Record<string, unknown>>;
export type InstantiateGlue = (
  getCoreModule: (name: string) => WebAssembly.Module,
  imports: ImportTable,
  instantiateCore?: (module: WebAssembly.Module, imports?: WebAssembly.Imports) => Promise<WebAssembly.Instance>,
) => Promise<Record<string, unknown>>;

/**
 * jco's glue asks for process.env.JCO_DEBUG on every call crossing (a C++ lookup each time, about
 * half the cost of a small call): the answer is read once, when the glue is loaded.
 */
const DEBUG_CHECK = 'if (!globalThis?.process?.env?.JCO_DEBUG) { return; }';

/** Every string leaves a component through one of these two decoders (kernel/bounded-strings.ts). */
const DECODERS = /new TextDecoder\((['"]utf-16['"])?\)/g;

/** Builds an instantiate function whose string lifts are bounded by `strings`. */
export type GlueFactory = (strings: StringBounds) => InstantiateGlue;

/**
 * The glue as a script body: exports made local, import.meta gone, the debug lookup hoisted, and
 * its string decoders taken from `__titanStrings` (the bounds of the deployment it serves).
 */
export function prepareGlue(js: string): { body: string; debugCheckHoisted: boolean; stringsBounded: boolean } {
  const debugCheckHoisted = js.includes(DEBUG_CHECK);
  const stringsBounded = js.match(DECODERS)?.length === 2;
  const body = js
    .replace(DECODERS, (_all, utf16?: string) => `__titanStrings.decoder(${utf16 ? "'utf-16'" : "'utf-8'"})`)
    .replace(DEBUG_CHECK, process.env.JCO_DEBUG ? '' : 'return;')
    .replace(/^"use components";/m, '')
    .replace(/^export (async )?function instantiate\(/m, '$1function instantiate(')
    .replace(/^export const /gm, 'const ')
    .replace(/import\.meta\.url/g, '"file:///titan-component/"');
  return { body, debugCheckHoisted, stringsBounded };
}

export function evaluateGlue(js: string, filename: string, strings: StringBounds = UNBOUNDED): InstantiateGlue {
  return compileGlue(js, filename).factory(strings);
}

/**
 * The glue compiled with V8's code cache for it, when one is given and still fits this V8 and this
 * text (V8 checks both and rejects a stale cache); `cache()` is the data to keep for next time.
 */
export function compileGlue(js: string, filename: string, cachedData?: Buffer): { factory: GlueFactory; cacheRejected: boolean; cache(): Buffer } {
  const { body } = prepareGlue(js);
  const script = new vm.Script(`(function (__titanStrings) {\n${body}\nreturn instantiate;\n})`, { filename, cachedData });
  const factory = script.runInThisContext() as GlueFactory;
  return { factory, cacheRejected: cachedData === undefined || script.cachedDataRejected === true, cache: () => script.createCachedData() };
}

/**
 * How long after a glue is loaded its code cache is written again. V8 puts in a cache only the
 * functions compiled when it is made, and compiles a function at its first call: made at load, the
 * cache holds the glue's outer function alone, and every start compiles again each function its
 * calls (instantiating, lifting and lowering values) run. Made once the component has served its
 * first calls, it holds those too.
 */
export const GLUE_USED_CACHE_MS = 3_000;

/**
 * The glue of a transpiled folder, compiled from V8's code cache kept beside it: the one written once
 * it had been used (GLUE_USED_CACHE_MS after a load that lacked it) or, until then, the one written
 * at its first load (a short-lived command's only one).
 */
export async function loadGlue(dir: string, js: string, usedAfterMs = GLUE_USED_CACHE_MS): Promise<GlueFactory> {
  const loadedFile = path.join(dir, `glue-${process.versions.v8}.v8cache`);
  const usedFile = path.join(dir, `glue-${process.versions.v8}.used.v8cache`);
  const used = await readFile(usedFile).catch(() => undefined);
  const glue = compileGlue(js, path.join(dir, 'component.js'), used ?? (await readFile(loadedFile).catch(() => undefined)));
  if (glue.cacheRejected) await writeFileAtomic(loadedFile, glue.cache()).catch(() => {}); // only time is lost without it
  if (!used || glue.cacheRejected) {
    // Not holding the process open: a command that ends sooner keeps the cache written at load. A
    // folder removed meanwhile (a test's home) is not made again for it.
    const writeUsed = () => stat(path.join(dir, 'component.js')).then(() => writeFileAtomic(usedFile, glue.cache()));
    setTimeout(() => void writeUsed().catch(() => {}), usedAfterMs).unref();
  }
  return glue.factory;
}
