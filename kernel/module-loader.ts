// Turns transpiled glue into an instantiate function without ever import()-ing generated code:
// Node never unloads ES modules (about 1.2 MB leaked per swap), while a vm.Script is collected.
import vm from 'node:vm';

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

/** The glue as a script body: exports made local, import.meta gone, the debug lookup hoisted. */
export function prepareGlue(js: string): { body: string; debugCheckHoisted: boolean } {
  const debugCheckHoisted = js.includes(DEBUG_CHECK);
  const body = js
    .replace(DEBUG_CHECK, process.env.JCO_DEBUG ? '' : 'return;')
    .replace(/^"use components";/m, '')
    .replace(/^export (async )?function instantiate\(/m, '$1function instantiate(')
    .replace(/^export const /gm, 'const ')
    .replace(/import\.meta\.url/g, '"file:///titan-component/"');
  return { body, debugCheckHoisted };
}

export function evaluateGlue(js: string, filename: string): InstantiateGlue {
  return compileGlue(js, filename).instantiate;
}

/**
 * The glue compiled with V8's code cache for it, when one is given and still fits this V8 and this
 * text (V8 checks both and rejects a stale cache); `cache()` is the data to keep for next time.
 */
export function compileGlue(js: string, filename: string, cachedData?: Buffer): { instantiate: InstantiateGlue; cacheRejected: boolean; cache(): Buffer } {
  const { body } = prepareGlue(js);
  const script = new vm.Script(`(function () {\n${body}\nreturn instantiate;\n})`, { filename, cachedData });
  const instantiate = (script.runInThisContext() as () => InstantiateGlue)();
  return { instantiate, cacheRejected: cachedData === undefined || script.cachedDataRejected === true, cache: () => script.createCachedData() };
}
