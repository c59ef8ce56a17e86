// Turns transpiled glue into an instantiate function without ever import()-ing generated code:
// Node never unloads ES modules (about 1.2 MB leaked per swap), while a vm.Script is collected.
import vm from 'node:vm';

export type ImportTable = Record<string, Record<string, unknown>>;
export type InstantiateGlue = (
  getCoreModule: (name: string) => WebAssembly.Module,
  imports: ImportTable,
  instantiateCore?: (module: WebAssembly.Module, imports?: WebAssembly.Imports) => Promise<WebAssembly.Instance>,
) => Promise<Record<string, unknown>>;

export function evaluateGlue(js: string, filename: string): InstantiateGlue {
  const body = js
    .replace(/^"use components";/m, '')
    .replace(/^export (async )?function instantiate\(/m, '$1function instantiate(')
    .replace(/^export const /gm, 'const ')
    .replace(/import\.meta\.url/g, '"file:///titan-component/"');
  const script = new vm.Script(`(function () {\n${body}\nreturn instantiate;\n})`, { filename });
  return (script.runInThisContext() as () => InstantiateGlue)();
}
