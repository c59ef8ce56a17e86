// The binaries this installation built itself from components/ (the built-ins shipped with Titan),
// by digest. Only these run inline without a grant: a component is recognised by what its bytes
// are (the registry re-hashes every blob it serves), never by the name or the manifest it claims.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonFile, writeJsonAtomic } from '../common/atomic-file.ts';

export const BUILTIN_ROOT = fileURLToPath(new URL('../components/', import.meta.url));

/** Whether a component folder is one of the built-ins' sources (under components/). */
export function isBuiltinSource(dir: string): boolean {
  const relative = path.relative(BUILTIN_ROOT, path.resolve(dir));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

export class BuiltinDigests {
  readonly #file: string;
  readonly #digests: Set<string>;
  #writes: Promise<void> = Promise.resolve();

  private constructor(file: string, digests: string[]) {
    this.#file = file;
    this.#digests = new Set(digests);
  }

  /** Read at open, so versions restored at a restart are recognised before anything is rebuilt. */
  static async open(file: string): Promise<BuiltinDigests> {
    const stored = await readJsonFile<{ digests?: unknown }>(file, {}).catch(() => ({ digests: [] }));
    const digests = Array.isArray(stored.digests) ? stored.digests.filter((d): d is string => typeof d === 'string' && /^sha256:[0-9a-f]{64}$/.test(d)) : [];
    return new BuiltinDigests(file, digests);
  }

  has(digest: string): boolean {
    return this.#digests.has(digest);
  }

  /** Records a digest the toolchain produced from components/ in this process. */
  add(digest: string): Promise<void> {
    if (this.#digests.has(digest)) return this.#writes;
    this.#digests.add(digest);
    this.#writes = this.#writes.catch(() => {}).then(() => writeJsonAtomic(this.#file, { digests: [...this.#digests].sort() }));
    return this.#writes;
  }
}
