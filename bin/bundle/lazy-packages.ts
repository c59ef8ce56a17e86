// Packages the start bundle loads on their first use instead of with the modules that require them.
// mime-types reads its whole database (mime-db, about 200 KB of JSON) and indexes every extension
// when it loads; koa, type-is and accepts each require it (two copies, two versions) at load, though
// only a response given a type by name or a request checked for one uses it: about 30 ms of a start
// under load. A `require` of one here gets an object standing for the package, which requires it on
// the first call (esbuild runs a bundled CommonJS package when its require runs, not before).
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Plugin } from 'esbuild';

const NAMESPACE = 'titan-lazy-package';
/** Packages whose exports are read only when called (functions and tables), never at their requirer's load. */
export const LAZY_PACKAGES: readonly string[] = ['mime-types'];

/**
 * The stand-in's text for the package as installed (`exports`: what it exports, read at build time):
 * each function a wrapper calling the package's, each other value a getter; the package is required
 * by the first call or read.
 */
export function lazyPackageSource(name: string, exports: Record<string, unknown>): string {
  const members = Object.entries(exports).map(([key, value]) =>
    typeof value === 'function'
      ? `  ${JSON.stringify(key)}: (...args) => real()[${JSON.stringify(key)}](...args),`
      : `  get ${JSON.stringify(key)}() { return real()[${JSON.stringify(key)}]; },`,
  );
  return ['let loaded;', `const real = () => (loaded ??= require(${JSON.stringify(name)}));`, 'module.exports = {', ...members, '};'].join('\n');
}

/** An esbuild plugin serving `require` of the LAZY_PACKAGES from lazyPackageSource (each requirer's own copy resolved from its folder). */
export function lazyPackages(names: readonly string[] = LAZY_PACKAGES): Plugin {
  return {
    name: 'titan-lazy-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        // The stand-in's own require goes on to the plugins that resolve packages (and so does their
        // own lookup of it, marked 'resolving' by bin/bundle/packages.ts).
        if (args.kind !== 'require-call' || args.namespace === NAMESPACE || args.pluginData === 'resolving' || !names.includes(args.path)) return undefined;
        // One stand-in per folder it is required from: a nested copy (accepts' own mime-types) stays its own.
        return { path: `${args.resolveDir}:${args.path}`, namespace: NAMESPACE, pluginData: { name: args.path, resolveDir: args.resolveDir } };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const { name, resolveDir } = args.pluginData as { name: string; resolveDir: string };
        const exports = createRequire(path.join(resolveDir, 'index.js'))(name) as Record<string, unknown>;
        return { contents: lazyPackageSource(name, exports), resolveDir, loader: 'js' };
      });
    },
  };
}
