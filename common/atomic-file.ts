// Writes that a crash cannot half-do: write a temporary file beside the target, fsync it, then
// put it in place (rename for replace, link for create-if-absent in registry/exclusive-write.ts)
// and fsync the directory. Readers see the old or the new file, never a mix.
import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Names of in-progress writes: readers skip them, gc removes stale ones. */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

export function tempPathFor(target: string, tag = ''): string {
  return path.join(path.dirname(target), `.${path.basename(target)}${tag}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `data` to a new temp file beside `target`, fsynced; returns its path. */
export async function writeSyncedTemp(target: string, data: string | Uint8Array): Promise<string> {
  await mkdir(path.dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  await writeNewSynced(temp, (handle) => handle.writeFile(data));
  return temp;
}

/** Creates `file` (never over an existing one), writes it with `write` and fsyncs it; a failed write leaves no file. */
export async function writeNewSynced(file: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await write(handle);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(file, { force: true });
    throw error;
  }
  await handle.close();
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const temp = await writeSyncedTemp(target, data);
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(path.dirname(target));
}

export async function readJsonFile<T>(file: string, fallback: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw error;
  }
  return JSON.parse(text) as T;
}

export function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  return writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n');
}
