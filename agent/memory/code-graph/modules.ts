// Where an import points: a module specifier (TypeScript/JavaScript), a dotted module (Python) or a
// `::` path (Rust) read against the indexed files. Outside the index (a dependency) is null.
import { posix } from 'node:path';
import type { Language } from './facts.ts';

const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.jsx', '.mjs', '.cjs'];

function typescriptModule(from: string, source: string, has: (path: string) => boolean): string | null {
  if (!source.startsWith('.')) return null;
  const base = posix.normalize(posix.join(posix.dirname(from), source));
  // ESM TypeScript imports name the emitted file: './a.js' is './a.ts' in the sources.
  const stem = base.replace(/\.(js|jsx|mjs|cjs)$/, '');
  const candidates = [base, ...TS_EXTENSIONS.map((e) => stem + e), ...TS_EXTENSIONS.map((e) => `${base}/index${e}`)];
  return candidates.find(has) ?? null;
}

function pythonModule(from: string, source: string, has: (path: string) => boolean, bySuffix: (suffix: string) => string | null): string | null {
  const dots = /^\.*/.exec(source)?.[0].length ?? 0;
  const rest = source.slice(dots).split('.').filter(Boolean).join('/');
  const tryAt = (dir: string) => {
    const stem = rest ? posix.join(dir, rest) : dir;
    return [`${stem}.py`, `${stem}.pyi`, `${stem}/__init__.py`].find(has) ?? null;
  };
  if (dots > 0) {
    let dir = posix.dirname(from);
    for (let i = 1; i < dots; i++) dir = posix.dirname(dir);
    return tryAt(dir);
  }
  // Absolute: from the index root, then any package that ends with this path.
  return tryAt('.') ?? bySuffix(`${rest}.py`) ?? bySuffix(`${rest}/__init__.py`);
}

/** The directory of the crate a Rust file belongs to (where its lib.rs or main.rs is). */
function crateRoot(from: string, has: (path: string) => boolean): string {
  for (let dir = posix.dirname(from); ; dir = posix.dirname(dir)) {
    if (has(posix.join(dir, 'lib.rs')) || has(posix.join(dir, 'main.rs'))) return dir;
    if (dir === '.' || dir === '/' || dir === '') return posix.dirname(from);
  }
}

/** The directory a Rust file's own submodules live in. */
function rustModuleDir(file: string): string {
  const name = posix.basename(file);
  if (name === 'mod.rs' || name === 'lib.rs' || name === 'main.rs') return posix.dirname(file);
  return file.slice(0, -3);
}

function rustFile(dir: string, has: (path: string) => boolean): string | null {
  return [`${dir}.rs`, `${dir}/mod.rs`].find(has) ?? null;
}

/** A `::` path to the file of the module it names, as far as the files go; the rest stays unread. */
export function rustModule(from: string, path: string, has: (path: string) => boolean): { file: string; rest: string[] } | null {
  const segments = path.split('::').filter(Boolean);
  let file: string;
  let dir: string;
  if (segments[0] === 'crate') {
    dir = crateRoot(from, has);
    file = [posix.join(dir, 'lib.rs'), posix.join(dir, 'main.rs')].find(has) ?? from;
    segments.shift();
  } else if (segments[0] === 'super' || segments[0] === 'self') {
    file = from;
    dir = rustModuleDir(from);
    while (segments[0] === 'super' || segments[0] === 'self') {
      if (segments.shift() === 'super') {
        dir = posix.dirname(dir);
        file = rustFile(dir, has) ?? [posix.join(dir, 'lib.rs'), posix.join(dir, 'main.rs')].find(has) ?? file;
      }
    }
  } else {
    // A path from the current module (`a::b` where `mod a;` is a child), else unknown (an outside crate).
    dir = rustModuleDir(from);
    const child = rustFile(posix.join(dir, segments[0] ?? ''), has);
    if (!child) return null;
    file = child;
    dir = posix.join(dir, segments.shift() ?? '');
  }
  while (segments.length > 0) {
    const next = rustFile(posix.join(dir, segments[0]), has);
    if (!next) break;
    file = next;
    dir = posix.join(dir, segments.shift() ?? '');
  }
  return { file, rest: segments };
}

/** The indexed file an import's source names, or null (a dependency, or not indexed). */
export function resolveModule(
  language: Language,
  from: string,
  source: string,
  has: (path: string) => boolean,
  bySuffix: (suffix: string) => string | null,
): string | null {
  if (source === '') return from;
  switch (language) {
    case 'python':
      return pythonModule(from, source, has, bySuffix);
    case 'rust': {
      const found = rustModule(from, source, has);
      return found && found.rest.length === 0 ? found.file : null;
    }
    default:
      return typescriptModule(from, source, has);
  }
}
