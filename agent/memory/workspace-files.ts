// Which workspace files memory reads, and what kind each is: text files only (a NUL byte or
// invalid UTF-8 in the first 8 KB means binary), none over the size limit, none in dot folders or
// dependency folders, at most maxFiles. What is left out and why is reported, never silently lost.
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { MemoryKind } from '../../kernel/store-client.ts';
import { IDENTITY_FILES } from '../loop/identity.ts';

export type Skipped = { path: string; reason: string; bytes: number };
export type Scan = { files: Array<{ path: string; bytes: number }>; skipped: Skipped[] };

const IGNORED_DIRS = new Set(['node_modules', 'target', 'dist', 'build', '__pycache__', 'venv']);
const CODE = /\.(ts|tsx|js|mjs|cjs|py|rs|go|java|rb|c|h|cpp|cs|swift|kt|sh)$/i;

export function kindOf(relative: string): MemoryKind {
  const name = relative.split('/').pop() ?? relative;
  if (!relative.includes('/') && IDENTITY_FILES.includes(name)) return 'identity';
  if (/(^|\/)(memory|daily|journal)\/\d{4}-\d{2}-\d{2}\.(md|txt)$/i.test(relative)) return 'daily';
  if (/(^|\/)summaries\//i.test(relative)) return 'summary';
  if (CODE.test(relative)) return 'code';
  return 'note';
}

/** The files of the workspace memory may index, with what it leaves out. */
export async function scanWorkspace(root: string, limits: { maxFileBytes: number; maxFiles: number }): Promise<Scan> {
  const scan: Scan = { files: [], skipped: [] };
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path.join(root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) {
        if (!IGNORED_DIRS.has(entry.name)) await walk(relative);
        continue;
      }
      if (!entry.isFile()) continue;
      const { size } = await stat(path.join(root, relative));
      if (size > limits.maxFileBytes) scan.skipped.push({ path: relative, reason: `larger than ${limits.maxFileBytes} bytes`, bytes: size });
      else if (scan.files.length >= limits.maxFiles) scan.skipped.push({ path: relative, reason: `past the limit of ${limits.maxFiles} files`, bytes: size });
      else if (size > 0 && (await isBinary(path.join(root, relative)))) scan.skipped.push({ path: relative, reason: 'binary (not UTF-8 text)', bytes: size });
      else scan.files.push({ path: relative, bytes: size });
    }
  };
  await walk('');
  return scan;
}

async function isBinary(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head.includes(0)) return true;
    // A multi-byte character cut at the 8 KB edge is not a reason to call the file binary.
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, Math.max(0, bytesRead - 4)));
      return false;
    } catch {
      return true;
    }
  } finally {
    await handle.close();
  }
}
