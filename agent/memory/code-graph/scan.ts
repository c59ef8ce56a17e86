// Which files of a tree the code graph reads, and why the others are skipped: a file's language
// comes from its extension; a binary or too large file is recorded as skipped with the reason.
import { createHash } from 'node:crypto';
import { opendir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Language } from './facts.ts';
import { languageOf } from './parse.ts';

/** Directories never walked: dependencies, build output, version control, caches. */
export const IGNORED_DIRS = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'target',
  '__pycache__',
  '.venv',
  'venv',
  '.mypy_cache',
  '.tox',
  '.next',
  'coverage',
]);
export const MAX_FILE_BYTES = 1024 * 1024;

export type Candidate = { path: string; absolute: string; language: Language };
export type ReadFile = { ok: true; text: string; digest: string; bytes: number; lines: number } | { ok: false; digest: string; bytes: number; reason: string };

/** Every file under root in a language the graph knows, relative paths with '/' separators, sorted. */
export async function candidates(root: string, ignored: ReadonlySet<string> = IGNORED_DIRS): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const walk = async (dir: string) => {
    let entries: Awaited<ReturnType<typeof opendir>>;
    try {
      entries = await opendir(dir);
    } catch {
      return; // unreadable directory: nothing to index there
    }
    for await (const entry of entries) {
      const absolute = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!ignored.has(entry.name) && !entry.name.startsWith('.')) await walk(absolute);
      } else if (entry.isFile()) {
        const language = languageOf(entry.name);
        if (language) out.push({ path: relative(root, absolute).split(sep).join('/'), absolute, language });
      }
    }
  };
  await walk(root);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The given relative paths that exist, are files in a known language, and are not in an ignored directory. */
export async function pathCandidates(root: string, paths: string[], ignored: ReadonlySet<string> = IGNORED_DIRS): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const path of paths) {
    const language = languageOf(path);
    const parts = path.split('/');
    if (!language || parts.some((p) => p === '..' || ignored.has(p) || p.startsWith('.'))) continue;
    const absolute = join(root, path);
    const info = await stat(absolute).catch(() => null);
    if (info?.isFile()) out.push({ path, absolute, language });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The file's text, or why it is not indexed (too large, binary, not UTF-8). */
export async function readSource(absolute: string, maxBytes = MAX_FILE_BYTES): Promise<ReadFile> {
  const size = (await stat(absolute)).size;
  if (size > maxBytes) return { ok: false, digest: `size:${size}`, bytes: size, reason: `larger than ${Math.round(maxBytes / 1024)} KB (${size} bytes)` };
  const bytes = await readFile(absolute);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (bytes.subarray(0, 8192).includes(0)) return { ok: false, digest, bytes: bytes.length, reason: 'binary (a NUL byte in the first 8 KB)' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, digest, bytes: bytes.length, reason: 'not UTF-8 text' };
  }
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return { ok: true, text, digest, bytes: bytes.length, lines };
}
