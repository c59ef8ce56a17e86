// Which npm packages the start bundle (bin/bundle/build.ts) takes in: plain JavaScript ones. A package
// stays an import, loaded from node_modules as before, when it could not run from a chunk: native
// code (.node, binding.gyp), WebAssembly beside it, or a file that finds things relative to itself
// (__dirname, __filename, import.meta.url, require.resolve, worker threads), or when a package
// nested inside it stays outside (a chunk's import would find the hoisted one instead).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Metafile, Plugin } from 'esbuild';

/** Read here, run elsewhere: pino resolves its transports from its caller's file, and writes logs through workers. */
const ALWAYS_OUTSIDE = new Set(['pino', 'thread-stream', 'rotating-file-stream', 'esbuild']);

const SELF_RELATIVE = /__dirname|__filename|import\.meta\.(?:url|dirname|filename|resolve)|require\.resolve|new Worker\b|worker_threads/;
const NATIVE = /\.(?:node|wasm)$|^binding\.gyp$/;
const CODE = /\.(?:c?js|mjs)$/;

/**
 * A bundled package as the bundle's record keeps it: the names Node resolves it by from the root
 * (one, or the chain to a nested copy), its version and the size of its package.json.
 */
export type BundledPackage = { names: string[]; version: string; size: number };

/** The package folder holding `file`: the last node_modules/NAME (or @scope/NAME) on its path. */
export function packageDirOf(file: string): string | undefined {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  const end = parts[at + 1].startsWith('@') ? at + 3 : at + 2;
  return end > parts.length ? undefined : parts.slice(0, end).join(path.sep);
}

/** The package names along a path: /x/node_modules/a/node_modules/@s/b/lib -> a, @s/b. */
function namesAlong(file: string): string[] {
  const names: string[] = [];
  const parts = file.split(path.sep);
  for (let i = 0; i < parts.length - 1; i++) {
    if (parts[i] !== 'node_modules') continue;
    names.push(parts[i + 1].startsWith('@') ? `${parts[i + 1]}/${parts[i + 2]}` : parts[i + 1]);
  }
  return names;
}

/**
 * The names Node resolves the package in `dir` by, starting from the root: a package of its own
 * (root/node_modules/a) or hoisted beside an installed Titan (../a) is [a]; one nested in another is
 * [a, b]. The root's own place in a node_modules tree is not part of it.
 */
export function nameChain(root: string, dir: string): string[] {
  const names = namesAlong(dir);
  const own = namesAlong(root + path.sep);
  let shared = 0;
  while (shared < own.length && names[shared] === own[shared]) shared++;
  return names.slice(shared);
}

/** Whether any file of the folder (its own, not nested packages') is native or self-relative. */
function selfRelative(dir: string): boolean {
  const stack = [dir];
  while (stack.length) {
    const here = stack.pop() as string;
    for (const entry of readdirSync(here, { withFileTypes: true })) {
      const full = path.join(here, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') stack.push(full);
      } else if (NATIVE.test(entry.name)) return true;
      else if (CODE.test(entry.name) && SELF_RELATIVE.test(readFileSync(full, 'utf8'))) return true;
    }
  }
  return false;
}

/** The packages nested in `dir`'s own node_modules. */
function nestedPackages(dir: string): string[] {
  const modules = path.join(dir, 'node_modules');
  const found: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(modules);
  } catch {
    return found;
  }
  for (const name of entries) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) for (const inner of readdirSync(path.join(modules, name))) found.push(path.join(modules, name, inner));
    else found.push(path.join(modules, name));
  }
  return found;
}

/**
 * An esbuild plugin taking plain-JavaScript packages into the bundle (only those of `only`, when
 * given) and leaving the others as imports; `bundled` collects the folders taken in.
 */
export function npmPackages(bundled: Set<string>, only?: ReadonlySet<string>): Plugin {
  const outside = new Map<string, boolean>();
  const staysOutside = (dir: string): boolean => {
    let answer = outside.get(dir);
    if (answer === undefined) {
      outside.set(dir, false); // a cycle through nested folders decides on the rest
      const name = path.basename(path.dirname(dir)).startsWith('@') ? `${path.basename(path.dirname(dir))}/${path.basename(dir)}` : path.basename(dir);
      answer = ALWAYS_OUTSIDE.has(name) || selfRelative(dir) || nestedPackages(dir).some(staysOutside);
      outside.set(dir, answer);
    }
    return answer;
  };
  return {
    name: 'titan-npm-packages',
    setup(build) {
      // Bare specifiers only: relative imports inside a package stay with it.
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith('node:') || args.pluginData === 'resolving') return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
        if (resolved.errors.length || resolved.external || !resolved.path) return { path: args.path, external: true };
        const dir = packageDirOf(resolved.path);
        if (!dir) return undefined; // a builtin or Titan's own file
        if ((only && !only.has(dir)) || staysOutside(dir)) return { path: args.path, external: true };
        bundled.add(dir);
        return resolved;
      });
    },
  };
}

/** The record's list of bundled packages: each folder's name chain and its version as built. */
export function describePackages(root: string, dirs: Iterable<string>): BundledPackage[] {
  return [...dirs].sort().map((dir) => ({
    names: nameChain(root, dir),
    version: String((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version),
    size: statSync(path.join(dir, 'package.json')).size,
  }));
}

/**
 * The package folders a start loads: those in the chunks the main chunk and the `entries` (source
 * files imported lazily, as `titan start` is) load by static imports. The packages only other
 * commands or later features load stay imports: in the bundle they would only add to the install.
 */
export function startPackages(metafile: Metafile, root: string, entries: readonly string[]): Set<string> {
  const outputs = metafile.outputs;
  const pending = Object.keys(outputs).filter((out) => {
    const entry = outputs[out].entryPoint;
    return out.endsWith(`${path.sep}main.js`) || out.endsWith('/main.js') || (entry !== undefined && entries.includes(entry));
  });
  const seen = new Set<string>();
  const dirs = new Set<string>();
  for (let out = pending.pop(); out !== undefined; out = pending.pop()) {
    if (seen.has(out) || !outputs[out]) continue;
    seen.add(out);
    for (const input of Object.keys(outputs[out].inputs)) {
      const dir = packageDirOf(path.resolve(root, input));
      if (dir) dirs.add(dir);
    }
    for (const imported of outputs[out].imports) if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
  }
  return dirs;
}
