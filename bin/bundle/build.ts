// Builds the start bundle: Titan's own modules from bin/main.ts down, as a few ES modules (esbuild,
// one chunk per lazily imported part) with the plain-JavaScript npm packages they use (bin/bundle/packages.ts),
// so a start loads tens of files instead of ~900 (bin/bundle/fresh.ts says when it is used). Other
// packages stay imports, resolved from node_modules as before. Run by `npm pack` (toolchain/prebuild.ts)
// and, in the background, by a `titan start` that found it stale:
//   node bin/bundle/build.ts [--clean] [ROOT [DIR]]
// ES chunks loaded through Node's compile cache, not a V8 startup snapshot (node --build-snapshot),
// measured 2026-12 (main-thread CPU to the start command, load 17-27): a snapshot takes one CommonJS
// script (agent/mcp/sdk.ts's top-level await rules that out as written) in which nothing touches
// node:http, node:net or node:vm while it is built (their native objects do not serialize: "global
// handle not serialized", "contexts_.size() == 1"), and no import() once it is restored ("A dynamic
// import callback was not specified"). With those worked around, the blob held 22-29 MB and restoring
// it cost more than these chunks do: 464-512 ms against 369-427, before the re-exec the shebang would
// need. A bundle of only what a start loads (42 files instead of 82) measured the same (357 vs 349 ms).
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';
import { TitanError } from '../../common/errors.ts';
import { BUNDLE_FORMAT, bundleDir, type BundleRecord, PROJECT_ROOT } from './fresh.ts';
import { builtinModules } from './builtins.ts';
import { lazyPackages } from './lazy-packages.ts';
import { describePackages, npmPackages, startPackages } from './packages.ts';

// A build left by a process that died is taken over after this long; old builds a running Titan may
// still load chunks from are kept this long.
const LOCK_STALE_MS = 120_000;
const KEEP_OLD_MS = 7 * 24 * 3600_000;
/** The lazily imported sources a start loads (bin/main.ts's verb, then the start itself): their packages are taken in. */
const START_ENTRIES = ['bin/commands/start.ts', 'bin/start.ts'];

/**
 * Each module's `import.meta.url` is where its source file is, not where the chunk holding it is:
 * its files (package.json, wit/, components/, workers) are found relative to it, as before.
 */
function sourceUrls(root: string, outDir: string): Plugin {
  return {
    name: 'titan-source-urls',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (!args.path.startsWith(root) || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const text = await readFile(args.path, 'utf8');
        const relative = path.relative(outDir, args.path).split(path.sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/** Builds into a new folder of `dir` and makes it current; returns its name. Nothing changes if it fails. */
export async function buildBundle(root = PROJECT_ROOT, dir = bundleDir(root)): Promise<string> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new TitanError('TITAN_E_BUNDLER_MISSING', 'building the start bundle needs esbuild, which is not installed');
  }
  const builtAt = Date.now(); // before any source is read: a file changed during the build makes it stale
  const name = `${builtAt.toString(36)}-${process.pid}`;
  const temp = path.join(dir, `tmp-${name}`);
  await mkdir(dir, { recursive: true });
  // The build folder is a sibling of the temporary one: the same relative paths hold from both.
  const options = (plugin: Plugin, outdir: string): BuildOptions & { metafile: true } => ({
    entryPoints: { main: path.join(root, 'bin', 'main.ts') },
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    // The CommonJS packages taken in call require (for Node's modules and the packages left outside).
    banner: { js: "import { createRequire as __titanCreateRequire } from 'node:module'; const require = __titanCreateRequire(import.meta.url);" },
    // Class and function names stay as written: messages and checks read them.
    keepNames: true,
    outdir,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    plugins: [builtinModules(), lazyPackages(path.join(dir, name)), sourceUrls(root, path.join(dir, name)), plugin],
  });
  const bundled = new Set<string>();
  try {
    // First every package that could be taken in, written nowhere, to see which ones a start loads.
    const all = await esbuild.build({ ...options(npmPackages(new Set()), temp), write: false });
    const loaded = startPackages(all.metafile, root, START_ENTRIES);
    const result = await esbuild.build(options(npmPackages(bundled, loaded), temp));
    // Titan's own files by size and age; the packages by version (bin/bundle/fresh.ts).
    const inputs: [string, number][] = Object.keys(result.metafile.inputs)
      // Not the modules the plugins make (titan-builtin:..., titan-lazy-package:...): no file of the tree.
      .filter((file) => !file.split('/').includes('node_modules') && !/^titan-[a-z-]+:/.test(file))
      .sort()
      .map((file) => [file, statSync(path.join(root, file)).size]);
    await rename(temp, path.join(dir, name));
    const record: BundleRecord = { format: BUNDLE_FORMAT, build: name, builtAt, inputs, packages: describePackages(root, bundled) };
    await writeFile(path.join(dir, `current.json.${name}`), JSON.stringify(record));
    await rename(path.join(dir, `current.json.${name}`), path.join(dir, 'current.json'));
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  await prune(dir, name);
  return name;
}

/** Removes builds no Titan started from in a week and temporary folders of builds that died. */
async function prune(dir: string, current: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === current) continue;
    const full = path.join(dir, entry.name);
    const age = Date.now() - (await stat(full)).mtimeMs;
    if (age > (entry.name.startsWith('tmp-') ? LOCK_STALE_MS : KEEP_OLD_MS)) await rm(full, { recursive: true, force: true });
  }
}

/** Builds unless another process is building (one build at a time per folder); false when it did not. */
export async function buildBundleOnce(root = PROJECT_ROOT, dir = bundleDir(root)): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  const lock = path.join(dir, 'build.lock');
  try {
    closeSync(openSync(lock, 'wx'));
  } catch {
    const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    if (age < LOCK_STALE_MS) return false;
    closeSync(openSync(lock, 'w')); // a dead builder's lock: taken over
  }
  try {
    await buildBundle(root, dir);
    return true;
  } finally {
    unlinkSync(lock);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const [root, dir] = args.filter((a) => !a.startsWith('--')).map((a) => path.resolve(a));
  // --clean (npm pack): only the new build goes into the package.
  if (args.includes('--clean')) await rm(dir ?? bundleDir(root), { recursive: true, force: true });
  await buildBundleOnce(root, dir);
}
