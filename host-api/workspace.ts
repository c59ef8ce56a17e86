// The workspace: the one folder the host interfaces that touch the disk (files, exec's working
// folder) let a component reach. A component names paths relative to it; a path is refused when it
// is absolute, contains "..", or - after every symlink is followed - lands outside the workspace.
// Refusals are TITAN_E_WORKSPACE_PATH; other failures carry the errno code ("ENOENT: ...").
//
// Which folder: the grant's "workspace" (an absolute path) when the manifest names one; else the
// kernel's workspace, which the kernel hands to the host services as `workspace`
// ($TITAN_WORKSPACE, or $TITAN_HOME/workspace); until it does, the same rule is read from this
// process's environment here. The kernel's default workspace is created on first use; a folder a
// grant names must exist.
import { constants, type Dirent } from 'node:fs';
import { lstat, mkdir, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { TitanError, isTitanError } from '../common/errors.ts';
import { titanHome } from '../common/home.ts';

const MAX_PATH = 4096;

/** Open flags that refuse a symlink as the last part of the path (closes the check-then-open gap). */
export const NO_FOLLOW = constants.O_NOFOLLOW;

/** The kernel's workspace when nothing else names one: $TITAN_WORKSPACE, else $TITAN_HOME/workspace. */
export function defaultWorkspace(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.TITAN_WORKSPACE?.trim();
  return path.resolve(configured || path.join(titanHome(env), 'workspace'));
}

/** A host-side failure with a short code the guest can branch on: "ENOENT", "EISDIR", "EBINARY"... */
export class HostFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The text a WIT `result<_, string>` carries: "CODE: cause", with the fix of a coded Titan error. */
export function failureText(error: unknown): string {
  if (isTitanError(error)) return `${error.code}: ${error.message}${error.fix ? ` (${error.fix})` : ''}`;
  if (error instanceof HostFailure) return `${error.code}: ${error.message}`;
  const errno = (error as NodeJS.ErrnoException)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (!errno) return `EIO: ${message}`;
  // Node's own messages already begin with the code ("EACCES: permission denied, open ...").
  return message.startsWith(`${errno}:`) ? message : `${errno}: ${message}`;
}

function refuse(relative: string, why: string): TitanError {
  return new TitanError('TITAN_E_WORKSPACE_PATH', `${JSON.stringify(relative)} ${why}`);
}

function inside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException)?.code;
}

/** The workspace a grant names, else the one the kernel passes in its services, else the default. */
export function workspaceFor(granted: string | undefined, services: { workspace?: string }): Workspace {
  if (granted !== undefined) return new Workspace(granted, { create: false });
  const fromKernel = services.workspace;
  return new Workspace(typeof fromKernel === 'string' && fromKernel ? fromKernel : defaultWorkspace(), { create: true });
}

export class Workspace {
  /** The folder as configured (absolute). */
  readonly dir: string;
  readonly #create: boolean;
  #root: Promise<string> | undefined;

  constructor(dir: string, options: { create: boolean }) {
    this.dir = path.resolve(dir);
    this.#create = options.create;
  }

  /** The workspace's real path (symlinks of its own location followed), created first when allowed. */
  root(): Promise<string> {
    if (!this.#root) {
      const pending = this.#realRoot();
      this.#root = pending;
      // A failure is not remembered: the folder may exist by the next call.
      pending.catch(() => {
        if (this.#root === pending) this.#root = undefined;
      });
    }
    return this.#root;
  }

  async #realRoot(): Promise<string> {
    if (this.#create) await mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      const real = await realpath(this.dir);
      if (!(await stat(real)).isDirectory()) throw new HostFailure('ENOTDIR', `the workspace ${this.dir} is not a folder`);
      return real;
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') throw new HostFailure('ENOENT', `the workspace folder ${this.dir} does not exist`);
      throw error;
    }
  }

  /** The parts of a relative path, or a refusal: absolute paths, "..", NUL bytes and overlong paths. */
  #parts(relative: unknown): string[] {
    if (typeof relative !== 'string') throw refuse(String(relative), 'is not a path');
    if (relative.length > MAX_PATH) throw refuse(`${relative.slice(0, 64)}...`, `is longer than ${MAX_PATH} characters`);
    if (relative.includes('\0')) throw refuse(relative, 'contains a NUL byte');
    if (path.isAbsolute(relative)) throw refuse(relative, 'is absolute; name paths relative to the workspace');
    const parts = relative.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw refuse(relative, 'contains ".."; paths may not climb out of the workspace');
    return parts;
  }

  /** The real path of something that exists inside the workspace (a file to read, a folder to list). */
  async existing(relative: string): Promise<string> {
    const parts = this.#parts(relative);
    const root = await this.root();
    let real: string;
    try {
      real = await realpath(path.join(root, ...parts));
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') {
        // A symlink whose target is missing: say where it leads if that is outside.
        await this.#checkDanglingLink(root, parts, relative);
        throw new HostFailure('ENOENT', `${JSON.stringify(relative)} does not exist in the workspace`);
      }
      if (errnoOf(error) === 'ENOTDIR') throw new HostFailure('ENOTDIR', `${JSON.stringify(relative)}: a part of the path is a file, not a folder`);
      throw error;
    }
    if (!inside(root, real)) throw refuse(relative, 'leads out of the workspace through a symlink');
    return real;
  }

  /** Like `existing`, and the path must be a folder. */
  async folder(relative: string): Promise<string> {
    const real = await this.existing(relative);
    if (!(await stat(real)).isDirectory()) throw new HostFailure('ENOTDIR', `${JSON.stringify(relative)} is a file, not a folder`);
    return real;
  }

  /**
   * Where a file named by `relative` is to be written: its real path if it exists, else a new path
   * under the deepest existing folder, whose missing folders are created (only after every check).
   */
  async writable(relative: string): Promise<string> {
    const parts = this.#parts(relative);
    if (parts.length === 0) throw new HostFailure('EISDIR', `${JSON.stringify(relative)} is the workspace folder itself, not a file`);
    const root = await this.root();
    const full = path.join(root, ...parts);
    const target = await lstat(full).catch((error: unknown) => {
      if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return undefined;
      throw error;
    });
    if (target) {
      const real = await realpath(full).catch(async (error: unknown) => {
        if (errnoOf(error) !== 'ENOENT') throw error;
        await this.#checkDanglingLink(root, parts, relative);
        throw refuse(relative, 'is a symlink to a missing target; write to the target instead');
      });
      if (!inside(root, real)) throw refuse(relative, 'leads out of the workspace through a symlink');
      return real;
    }
    // Find the deepest folder that exists, check where it really is, then create the rest.
    let depth = parts.length - 1;
    let base: string | undefined;
    for (; depth >= 0; depth--) {
      try {
        base = await realpath(path.join(root, ...parts.slice(0, depth)));
        break;
      } catch (error) {
        if (errnoOf(error) !== 'ENOENT') {
          if (errnoOf(error) === 'ENOTDIR') throw new HostFailure('ENOTDIR', `${JSON.stringify(relative)}: a part of the path is a file, not a folder`);
          throw error;
        }
        const link = await lstat(path.join(root, ...parts.slice(0, depth))).catch(() => undefined);
        if (link?.isSymbolicLink()) throw refuse(relative, 'goes through a symlink to a missing target');
      }
    }
    if (base === undefined || !inside(root, base)) throw refuse(relative, 'leads out of the workspace through a symlink');
    if (!(await stat(base)).isDirectory()) throw new HostFailure('ENOTDIR', `${JSON.stringify(relative)}: a part of the path is a file, not a folder`);
    let folder = base;
    for (const part of parts.slice(depth, -1)) {
      folder = path.join(folder, part);
      await mkdir(folder).catch((error: unknown) => {
        if (errnoOf(error) !== 'EEXIST') throw error;
      });
    }
    // A folder created by someone else meanwhile could be a symlink: check the result once more.
    const realFolder = await realpath(folder);
    if (!inside(root, realFolder)) throw refuse(relative, 'leads out of the workspace through a symlink');
    return path.join(realFolder, parts.at(-1) as string);
  }

  async #checkDanglingLink(root: string, parts: string[], relative: string): Promise<void> {
    for (let depth = 1; depth <= parts.length; depth++) {
      const at = path.join(root, ...parts.slice(0, depth));
      const link = await lstat(at).catch(() => undefined);
      if (!link) return;
      if (link.isSymbolicLink()) {
        const target = path.resolve(path.dirname(at), await readlink(at));
        if (!inside(root, target)) throw refuse(relative, 'leads out of the workspace through a symlink');
      }
    }
  }
}

/** A folder's entry as list-dir names it: folders end in "/". */
export function entryName(entry: Dirent): string {
  return entry.isDirectory() ? `${entry.name}/` : entry.name;
}
