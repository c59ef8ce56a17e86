// A job's files as a tar stream: the folder walked lazily (one directory handle and one file open at
// a time), each file streamed into the archive with backpressure, so memory stays flat whatever the
// size; a watchdog ends an export that moves no byte for `stallMs` (a reader that stopped reading, a
// stuck disk) with TITAN_E_JOB_EXPORT_STALLED. Symlinks are archived as links, never followed.
import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { lstat, opendir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TitanError, isTitanError } from '../../common/errors.ts';

export type ExportResult = { files: number; bytes: number };

/** Paths under `root`, depth first, relative, with their lstat. */
async function* walk(root: string, dir = ''): AsyncGenerator<{ name: string; stat: Stats }> {
  const handle = await opendir(path.join(root, dir));
  for await (const entry of handle) {
    const name = dir ? `${dir}/${entry.name}` : entry.name;
    const stat = await lstat(path.join(root, name));
    yield { name, stat };
    if (stat.isDirectory()) yield* walk(root, name);
  }
}

/** Counts bytes on their way out and notes when the last one passed. */
function meter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

/**
 * Writes `root` as a tar archive to `out` and ends it. Rejects (and destroys `out`) when the reader
 * goes away, a file cannot be read, or nothing moves for `stallMs`.
 */
export async function exportFolder(root: string, out: Writable, options: { stallMs: number; signal?: AbortSignal }): Promise<ExportResult> {
  const { default: tar } = await import('tar-stream'); // loaded when a workspace is exported, not at every start
  const pack = tar.pack();
  let bytes = 0;
  let files = 0;
  let last = Date.now();
  const abort = new AbortController();
  const stalled = new TitanError('TITAN_E_JOB_EXPORT_STALLED', `the export of ${path.basename(root)} moved no byte for ${options.stallMs} ms`);
  const watchdog = setInterval(
    () => {
      if (Date.now() - last >= options.stallMs) abort.abort(stalled);
    },
    Math.max(50, Math.min(1000, options.stallMs / 4)),
  );
  const signal = options.signal ? AbortSignal.any([abort.signal, options.signal]) : abort.signal;
  const counted = meter((n) => {
    bytes += n;
    last = Date.now();
  });

  const fill = async () => {
    for await (const { name, stat } of walk(root)) {
      if (signal.aborted) break;
      const header = { name, mode: stat.mode & 0o7777, mtime: stat.mtime, uid: 0, gid: 0 };
      if (stat.isDirectory()) pack.entry({ ...header, type: 'directory' });
      else if (stat.isSymbolicLink()) pack.entry({ ...header, type: 'symlink', linkname: await readlink(path.join(root, name)) });
      else if (stat.isFile()) {
        const entry = pack.entry({ ...header, type: 'file', size: stat.size });
        await pipeline(createReadStream(path.join(root, name)), entry, { signal });
        files++;
      }
      last = Date.now();
    }
    pack.finalize();
  };

  try {
    await Promise.all([
      fill().catch((error: unknown) => {
        pack.destroy(error as Error);
        throw error;
      }),
      pipeline(pack, counted, out, { signal }),
    ]);
    return { files, bytes };
  } catch (error) {
    out.destroy();
    if (signal.aborted && isTitanError(signal.reason)) throw signal.reason;
    if (isTitanError(error)) throw error;
    throw new TitanError('TITAN_E_JOB_EXPORT_CUT', `the export of ${path.basename(root)} broke off: ${(error as Error).message}`, { cause: error });
  } finally {
    clearInterval(watchdog);
  }
}
