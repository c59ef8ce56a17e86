// Whether the start bundle (bin/bundle/build.ts) may run in place of the source tree: it is used
// only while every source file it was built from is unchanged (same size, not modified since the
// build began) and every npm package it took in is found at the version it took, so an edited,
// pulled or checked-out tree, or a reinstall, runs from source until it is rebuilt. An installed
// package under node_modules is held to its sources' sizes alone (see freshBundle).
// Kept to Node's own modules: this runs before anything else is loaded. They are taken with
// process.getBuiltinModule, not an ES import, which would build node:fs's ES facade: it reads every
// export once, and its ReadStream getter loads Node's file streams (about 8 ms of CPU a start; the
// start bundle does the same, bin/bundle/builtins.ts).
import type { Stats } from 'node:fs';
import type { BundledPackage } from './packages.ts';

const { accessSync, constants, existsSync, readFileSync, statSync } = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');
const { fileURLToPath, pathToFileURL } = process.getBuiltinModule('node:url');

/** Bumped when the build changes how it writes the bundle: older ones are stale. */
export const BUNDLE_FORMAT = 4;
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What current.json records: the build folder, Titan's source files (path from the root, size) it
 * holds, and the npm packages it took in (bin/bundle/packages.ts).
 */
export type BundleRecord = { format: number; build: string; builtAt: number; inputs: [string, number][]; packages: BundledPackage[] };

/** Inside the project, so the bundle's npm imports resolve from its node_modules; TITAN_BUNDLE_DIR moves it (tests). */
export function bundleDir(root = PROJECT_ROOT): string {
  return process.env.TITAN_BUNDLE_DIR || path.join(root, '.bundle');
}

// Set by bin/titan.js to the bundle it loaded: the bundle holds its own copy of this module, so a
// module-level variable would not be seen from inside it.
const RUNNING = Symbol.for('titan.start-bundle');

/** Records that this process runs the given bundle (bin/titan.js, before loading it). */
export function markRunningBundle(url: string): void {
  (globalThis as Record<symbol, unknown>)[RUNNING] = url;
}

/** Whether this process was loaded from the bundle (a start says so). */
export function runningBundle(): boolean {
  return typeof (globalThis as Record<symbol, unknown>)[RUNNING] === 'string';
}

/** TITAN_BUNDLE=off runs from source and never builds. */
export function bundleOff(): boolean {
  return process.env.TITAN_BUNDLE === 'off';
}

/** The URL of the bundle's main module when it matches the source tree, else undefined. */
export function freshBundle(root = PROJECT_ROOT, dir = bundleDir(root)): string | undefined {
  if (bundleOff()) return undefined;
  let record: BundleRecord;
  try {
    record = JSON.parse(readFileSync(path.join(dir, 'current.json'), 'utf8')) as BundleRecord;
  } catch {
    return undefined;
  }
  if (record.format !== BUNDLE_FORMAT) return undefined;
  // Under a node_modules folder (npm install -g, or Titan as a dependency) the bundle came in the
  // same tarball as the sources: npm writes them with the install's time, so their sizes are
  // compared, not their age; and it carries the packages it took in, which an install without
  // Titan's lock (a global one) resolves anew, often at a later patch: they are not compared.
  const installed = root.split(path.sep).includes('node_modules');
  for (const [file, size] of record.inputs) {
    const now = statSync(path.join(root, file), { throwIfNoEntry: false });
    if (!now || now.size !== size || (!installed && now.mtimeMs > record.builtAt)) return undefined;
  }
  if (!installed) for (const found of record.packages) if (!samePackage(root, found, record.builtAt)) return undefined;
  const main = path.join(dir, record.build, 'main.js');
  return existsSync(main) ? pathToFileURL(main).href : undefined;
}

/**
 * Whether the package Node would load by this name chain from the root (each name looked up from
 * the previous package's folder upwards, as Node resolves it) is the one the bundle took in.
 * A package.json of the same size not written since the build is the same file (a stat); any other
 * is read for its version (npm gives every file it unpacks the same old mtime, but a new ctime).
 */
function samePackage(root: string, wanted: BundledPackage, builtAt: number): boolean {
  let from = root;
  let manifest: Stats | undefined;
  for (const name of wanted.names) {
    for (let dir = from; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', name);
      manifest = statSync(path.join(candidate, 'package.json'), { throwIfNoEntry: false });
      if (manifest) {
        from = candidate;
        break;
      }
      if (path.dirname(dir) === dir) return false;
    }
  }
  if (manifest?.size === wanted.size && manifest.ctimeMs <= builtAt) return true;
  try {
    return (JSON.parse(readFileSync(path.join(from, 'package.json'), 'utf8')) as { version?: unknown }).version === wanted.version;
  } catch {
    return false;
  }
}

/**
 * When the bundle is stale and can be rebuilt here (esbuild installed, the folder writable), builds
 * it in a detached low-priority process for the next start. Returns whether it started one.
 */
export function rebuildInBackground(root = PROJECT_ROOT, dir = bundleDir(root)): boolean {
  if (bundleOff() || freshBundle(root, dir)) return false;
  try {
    accessSync(existsSync(dir) ? dir : root, constants.W_OK);
    import.meta.resolve('esbuild');
  } catch {
    return false; // an installed package (read-only, or without esbuild) runs from source
  }
  const { spawn } = process.getBuiltinModule('node:child_process');
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(root, 'bin', 'bundle', 'build.ts'), root, dir], {
    detached: true,
    stdio: 'ignore',
  });
  child.on('spawn', () => {
    try {
      if (child.pid) process.getBuiltinModule('node:os').setPriority(child.pid, 19); // below the running Titan
    } catch {
      // lowering another process's priority is refused on some systems: it builds at normal priority
    }
  });
  child.on('error', () => {}); // a failed build leaves the source tree in use: nothing to report
  child.unref();
  return true;
}
