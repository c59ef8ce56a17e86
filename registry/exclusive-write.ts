// Create-if-absent writes. A publish's commit point must fail, not overwrite, when another writer
// (another process: the CLI beside a running kernel) got there first. rename(2) replaces silently;
// link(2) of a fully written, fsynced temp file refuses an existing name atomically.
import { link, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { syncDirectory, writeSyncedTemp } from '../common/atomic-file.ts';

export { isTempName, syncDirectory, tempPathFor, writeNewSynced } from '../common/atomic-file.ts';

/** Writes `data` at `target` unless it exists. Returns false (and writes nothing) when it exists. */
export async function writeFileExclusive(target: string, data: string | Uint8Array): Promise<boolean> {
  const dir = path.dirname(target);
  const temp = await writeSyncedTemp(target, data);
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
