// Create-if-absent writes. A publish's commit point must fail, not overwrite, when another writer
// (another process: the CLI beside a running kernel) got there first. rename(2) replaces silently;
// link(2) of a fully written, fsynced temp file refuses an existing name atomically.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';

/** Names of in-progress writes (common/atomic-file.ts and ours): readers skip them, gc removes stale ones. */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

export function tempPathFor(target: string, tag = ''): string {
  const base = path.basename(target);
  return path.join(path.dirname(target), `.${base}${tag}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `data` at `target` unless it exists. Returns false (and writes nothing) when it exists. */
export async function writeFileExclusive(target: string, data: string | Uint8Array): Promise<boolean> {
  const dir = path.dirname(target);
  await mkdir(dir, { recursive: true });
  const temp = tempPathFor(target);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Filesystems without hard links: exclusive create still refuses to overwrite, at the cost of a
    // possible torn file after a crash (readers then report it as an invalid manifest).
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return writeDirect(target, data);
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
  await syncDirectory(dir);
  return true;
}

async function writeDirect(target: string, data: string | Uint8Array): Promise<boolean> {
  let handle;
  try {
    handle = await open(target, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}
