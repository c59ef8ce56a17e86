// Packages the start bundle loads on their first use instead of with the modules that require them.
// mime-types reads its whole database (mime-db, about 200 KB of JSON) and indexes every extension
// when it loads; koa, type-is and accepts each require it (two copies, two versions) at load, though
// only a response given a type by name or a request checked for one uses it: about 30 ms of a start
// under load. iconv-lite (raw-body requires it as it loads) reads its 550 KB of encoding tables at a
// request's first body. co-body (@koa/bodyparser imports it as the gateway is made) requires raw-body,
// inflation and qs with its side-channel, get-intrinsic and object-inspect as it loads, about 100 KB
// evaluated before ready for the first request with a body. A `require` (or an `import`) of one
// here gets a stand-in for the package, which requires it on the first call, from node_modules: left
// out of the bundle, its code (1.3 MB of the chunks with mime-db's copies) is not read and compiled
// with the chunks a start loads, before ready.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Plugin } from 'esbuild';

const NAMESPACE = 'titan-lazy-package';
/** How a module may name a lazy package: an `import` of the CommonJS stand-in reads its members as the package's (esbuild's interop). */
const LAZY_KINDS: readonly string[] = ['require-call', 'import-statement'];
/** Packages whose exports are read only when called (functions and tables), never at their requirer's load. */
export const LAZY_PACKAGES: readonly string[] = ['mime-types', 'iconv-lite', 'co-body'];

/**
 * The stand-in's text for the package as installed (`exports`: what it exports, read at build time):
 * each function a wrapper calling the package's, each other value a getter, and the stand-in itself
 * callable when the package is a function (co-body); the package is required
 * by the first call or read, from `file` (its entry, relative to the bundle's folder: the copy its
 * requirer would find), or by `name` from the bundle's folder where that file is not (node_modules
 * laid out otherwise, as when npm hoists Titan's packages into another project's).
 */
export function lazyPackageSource(name: string, exports: object, file: string): string {
  const members = Object.entries(exports).map(([key, value]) =>
    typeof value === 'function'
      ? `  ${JSON.stringify(key)}: { enumerable: true, value: (...args) => real()[${JSON.stringify(key)}](...args) },`
      : `  ${JSON.stringify(key)}: { enumerable: true, get() { return real()[${JSON.stringify(key)}]; } },`,
  );
  return [
    'let loaded;',
    'const load = () => {',
    `  try { return require(${JSON.stringify(file)}); }`,
    `  catch (error) { if (error?.code !== 'MODULE_NOT_FOUND') throw error; return require(${JSON.stringify(name)}); }`,
    '};',
    'const real = () => (loaded ??= load());',
    `module.exports = Object.defineProperties(${typeof exports === 'function' ? '(...args) => real()(...args)' : '{}'}, {`,
    ...members,
    '});',
  ].join('\n');
}

/**
 * An esbuild plugin serving `require` and `import` of the LAZY_PACKAGES from lazyPackageSource (each requirer's own
 * copy resolved from its folder); `outDir` is the folder the bundle's files run from.
 */
export function lazyPackages(outDir: string, names: readonly string[] = LAZY_PACKAGES): Plugin {
  return {
    name: 'titan-lazy-packages',
    setup(build) {
      // The stand-in's own requires stay requires, resolved when it runs.
      build.onResolve({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ path: args.path, external: true }));
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (!LAZY_KINDS.includes(args.kind) || args.pluginData === 'resolving' || !names.includes(args.path)) return undefined;
        // One stand-in per folder it is required from: a nested copy (accepts' own mime-types) stays its own.
        return { path: `${args.resolveDir}:${args.path}`, namespace: NAMESPACE, pluginData: { name: args.path, resolveDir: args.resolveDir } };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const { name, resolveDir } = args.pluginData as { name: string; resolveDir: string };
        const require = createRequire(path.join(resolveDir, 'index.js'));
        const exports = require(name) as object;
        const file = path.relative(outDir, require.resolve(name)).split(path.sep).join('/');
        return { contents: lazyPackageSource(name, exports, file.startsWith('.') ? file : `./${file}`), resolveDir, loader: 'js' };
      });
    },
  };
}
