// titan:host/files: text files inside the workspace only (see workspace.ts for how a path is
// confined). Errors come back as the WIT result's string, "CODE: cause": TITAN_E_WORKSPACE_PATH
// for a path that leaves the workspace, else ENOENT, ENOTDIR, EISDIR, EBINARY (not text), EFBIG
// (over the grant's limit), EROFS (a read-only grant). A refused call changes nothing on disk.
import { open, readdir } from 'node:fs/promises';
import { constants } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { HostInterface } from './types.ts';
import { HostFailure, NO_FOLLOW, entryName, failureText, workspaceFor } from './workspace.ts';

export const FILES_DEFAULTS = { maxReadBytes: 1024 * 1024, maxWriteBytes: 10 * 1024 * 1024, maxEntries: 10_000 };

export type FilesGrant = { workspace?: string; readOnly?: boolean; maxReadBytes?: number; maxWriteBytes?: number };

/** A text file's first `max` bytes, cut back to a whole character when the file goes on. */
async function readText(file: string, shown: string, max: number): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | NO_FOLLOW);
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new HostFailure('EISDIR', `${shown} is a folder; list it with list-dir`);
    if (!info.isFile()) throw new HostFailure('EINVAL', `${shown} is not a regular file`);
    const buffer = Buffer.alloc(Math.min(max, info.size + 1));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const bytes = buffer.subarray(0, filled);
    if (bytes.includes(0)) throw new HostFailure('EBINARY', `${shown} is not a text file`);
    const whole = filled < buffer.length || filled === info.size;
    return whole ? bytes.toString('utf8') : new StringDecoder('utf8').write(bytes);
  } finally {
    await handle.close();
  }
}

export const files: HostInterface = {
  name: 'files',
  versions: ['0.1.0', '0.2.0'],
  asyncFunctions: ['read', 'write', 'list-dir'],
  grantSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      /** An absolute folder; default: the kernel's workspace. */
      workspace: { type: 'string', pattern: '^/', maxLength: 4096 },
      /** true: write is refused (a tool that only reads is granted only reading). */
      readOnly: { type: 'boolean' },
      maxReadBytes: { type: 'integer', minimum: 1, maximum: 64 * 1024 * 1024 },
      maxWriteBytes: { type: 'integer', minimum: 0, maximum: 64 * 1024 * 1024 },
    },
  },
  bind(context) {
    const grant = context.grant as FilesGrant;
    const workspace = workspaceFor(grant.workspace, context.services);
    const maxRead = grant.maxReadBytes ?? FILES_DEFAULTS.maxReadBytes;
    const maxWrite = grant.maxWriteBytes ?? FILES_DEFAULTS.maxWriteBytes;
    const guarded = async <T>(op: () => Promise<T>): Promise<T> => {
      try {
        return await op();
      } catch (error) {
        // jco lowers a thrown value's `payload` into the result's err case.
        throw { payload: failureText(error) };
      }
    };
    return {
      /** max-bytes 0 means the grant's maximum; a larger ask is cut to it. */
      read: (path: string, maxBytes: number) =>
        guarded(async () => readText(await workspace.existing(path), JSON.stringify(path), maxBytes > 0 ? Math.min(maxBytes, maxRead) : maxRead)),
      write: (path: string, content: string) =>
        guarded(async () => {
          if (grant.readOnly) throw new HostFailure('EROFS', 'this component may only read files (its files grant is readOnly)');
          const bytes = Buffer.byteLength(content, 'utf8');
          if (bytes > maxWrite) throw new HostFailure('EFBIG', `${bytes} bytes is more than the ${maxWrite} this component may write at once`);
          const target = await workspace.writable(path);
          const handle = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NO_FOLLOW, 0o644).catch((error: unknown) => {
            if ((error as NodeJS.ErrnoException).code === 'EISDIR') throw new HostFailure('EISDIR', `${JSON.stringify(path)} is a folder, not a file`);
            throw error;
          });
          try {
            await handle.writeFile(content, 'utf8');
          } finally {
            await handle.close();
          }
          return BigInt(bytes);
        }),
      /** Names in order; folders end in "/"; past maxEntries the last entry says how many were left out. */
      listDir: (path: string) =>
        guarded(async () => {
          const entries = (await readdir(await workspace.folder(path), { withFileTypes: true })).map(entryName).sort();
          if (entries.length <= FILES_DEFAULTS.maxEntries) return entries;
          return [...entries.slice(0, FILES_DEFAULTS.maxEntries), `... (${entries.length - FILES_DEFAULTS.maxEntries} more)`];
        }),
    };
  },
};
