// A content-addressed disk cache: every entry is keyed by the sha256 of its inputs, so an entry
// is never stale, only unused. Writes are atomic, so a crash leaves no half entry.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../common/atomic-file.ts';

export class DiskCache {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  file(key: string, suffix = ''): string {
    return path.join(this.dir, key.slice(0, 2), key + suffix);
  }

  async get(key: string, suffix = ''): Promise<Buffer | undefined> {
    try {
      return await readFile(this.file(key, suffix));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async put(key: string, data: string | Uint8Array, suffix = ''): Promise<void> {
    await writeFileAtomic(this.file(key, suffix), data);
  }
}
