// jco's transpiler as Titan loads it: from the bundle `npm pack` writes into prebuilt/vendor/jco/
// (toolchain/vendor.ts), so an installed Titan depends on no jco package, and so never on binaryen
// (94 MB), which jco-transpile lists for options Titan never sets and which npm installs with it
// wherever package.json's overrides do not apply (`npm install -g`); or from the package in a clone.
import { pathToFileURL } from 'node:url';
import { shippedFile } from '../common/vendored.ts';

/** The bundle's entries (prebuilt/vendor/jco/<name>.js) and the package modules they are built from. */
export const JCO_ENTRIES = {
  transpile: '@bytecodealliance/jco-transpile',
  'wasm-tools': '@bytecodealliance/jco-transpile/wasm-tools',
} as const;

async function load(name: keyof typeof JCO_ENTRIES): Promise<unknown> {
  const file = shippedFile(`jco/${name}.js`);
  return import(file ? pathToFileURL(file).href : JCO_ENTRIES[name]);
}

/** Component -> core modules and JS glue; loaded on first use. */
export async function jcoTranspiler(): Promise<typeof import('@bytecodealliance/jco-transpile')> {
  return (await load('transpile')) as typeof import('@bytecodealliance/jco-transpile');
}

/** wasm-tools alone (a component's WIT), without the bindings generator: ~30 ms to load. */
export async function jcoWasmTools(): Promise<typeof import('@bytecodealliance/jco-transpile/wasm-tools')> {
  return (await load('wasm-tools')) as typeof import('@bytecodealliance/jco-transpile/wasm-tools');
}
