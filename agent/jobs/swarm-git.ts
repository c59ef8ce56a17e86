// The git work of a swarm, done on the host around the containers (the sandbox image has no git):
// a branch and worktree per part from the workspace's HEAD, each part's changes committed on its
// branch, the parts merged one by one into the swarm's branch (a conflict is aborted and reported
// with its files), and that branch fast-forwarded into the workspace when nobody moved it meanwhile.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TitanError } from '../../common/errors.ts';

const run = promisify(execFile);
/** Titan's commits say who made them, whatever the user's git config holds. */
const AUTHOR = ['-c', 'user.name=Titan swarm', '-c', 'user.email=titan-swarm@localhost', '-c', 'commit.gpgsign=false'];

export async function git(dir: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', ['-C', dir, ...AUTHOR, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new TitanError('TITAN_E_INTERNAL', `git ${args[0]} in ${dir} failed: ${stderr || (error as Error).message}`, { cause: error });
  }
}

/** The workspace's top folder and HEAD; TITAN_E_SWARM_INVALID unless it is a git repository with nothing uncommitted. */
export async function checkRepository(workspace: string): Promise<{ top: string; base: string }> {
  let top: string;
  try {
    top = await git(workspace, 'rev-parse', '--show-toplevel');
  } catch {
    throw new TitanError('TITAN_E_SWARM_INVALID', `${workspace} is not a git repository (the parts work on branches of it)`);
  }
  let base: string;
  try {
    base = await git(top, 'rev-parse', '--verify', 'HEAD^{commit}');
  } catch {
    throw new TitanError('TITAN_E_SWARM_INVALID', `${top} has no commit yet: the parts branch from HEAD`);
  }
  const dirty = await git(top, 'status', '--porcelain', '--untracked-files=all');
  if (dirty) {
    const files = dirty.split('\n').map((line) => line.slice(3));
    throw new TitanError('TITAN_E_SWARM_INVALID', `${top} has uncommitted changes (${files.slice(0, 5).join(', ')}): commit or stash them first`);
  }
  return { top, base };
}

/** A new branch at `base`, checked out in its own folder. */
export async function addWorktree(top: string, folder: string, branch: string, base: string): Promise<void> {
  await git(top, 'worktree', 'add', '--quiet', '-b', branch, folder, base);
}

export async function removeWorktree(top: string, folder: string): Promise<void> {
  await git(top, 'worktree', 'remove', '--force', folder).catch(() => {});
}

/** Commits everything the part changed on its branch; false when it changed nothing. */
export async function commitAll(folder: string, message: string): Promise<boolean> {
  await git(folder, 'add', '--all');
  if (!(await git(folder, 'status', '--porcelain'))) return false;
  await git(folder, 'commit', '--quiet', '--no-verify', '-m', message);
  return true;
}

/** Merges `branch` into the folder's branch: the conflicting files (and the merge undone) when it cannot. */
export async function mergeBranch(folder: string, branch: string, message: string): Promise<{ ok: true } | { ok: false; files: string[] }> {
  try {
    await run('git', ['-C', folder, ...AUTHOR, 'merge', '--no-ff', '--no-edit', '-m', message, branch]);
    return { ok: true };
  } catch {
    const files = (await git(folder, 'diff', '--name-only', '--diff-filter=U')).split('\n').filter(Boolean);
    await git(folder, 'merge', '--abort').catch(() => {});
    if (!files.length) throw new TitanError('TITAN_E_INTERNAL', `merging ${branch} failed without a conflict`);
    return { ok: false, files };
  }
}

/**
 * Brings the swarm's branch into the workspace: a fast-forward, only when the workspace is still
 * at `base` with nothing uncommitted (the user's own work is never touched). Why not, otherwise.
 */
export async function fastForward(top: string, base: string, branch: string): Promise<string | undefined> {
  const head = await git(top, 'rev-parse', 'HEAD');
  if (head !== base) return `the workspace moved on while the swarm ran (HEAD is ${head.slice(0, 12)})`;
  if (await git(top, 'status', '--porcelain')) return 'the workspace has uncommitted changes';
  await git(top, 'merge', '--ff-only', '--quiet', branch);
  return undefined;
}
