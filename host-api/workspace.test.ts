import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { isTitanError } from '../common/errors.ts';
import { HostFailure, Workspace, defaultWorkspace, failureText, workspaceFor } from './workspace.ts';

async function dirs(t: TestContext) {
  const base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'titan-workspace-')));
  t.after(() => rm(base, { recursive: true, force: true }));
  const root = path.join(base, 'ws');
  await mkdir(path.join(root, 'sub'), { recursive: true });
  await writeFile(path.join(root, 'sub', 'f.txt'), 'x');
  await mkdir(path.join(base, 'outside'));
  await symlink(path.join(base, 'outside'), path.join(root, 'out'));
  await symlink(path.join(root, 'sub'), path.join(root, 'sub-link'));
  return { base, root, workspace: new Workspace(root, { create: false }) };
}

async function refused(promise: Promise<unknown>, why: RegExp): Promise<void> {
  await assert.rejects(promise, (error) => {
    assert.ok(isTitanError(error, 'TITAN_E_WORKSPACE_PATH'), String(error));
    assert.match(error.message, why);
    return true;
  });
}

test('paths are relative to the workspace and resolved to real paths inside it', async (t) => {
  const { root, workspace } = await dirs(t);
  assert.equal(await workspace.existing('.'), root);
  assert.equal(await workspace.existing(''), root);
  assert.equal(await workspace.existing('sub/f.txt'), path.join(root, 'sub', 'f.txt'));
  assert.equal(await workspace.existing('./sub//f.txt'), path.join(root, 'sub', 'f.txt'));
  assert.equal(await workspace.existing('sub-link/f.txt'), path.join(root, 'sub', 'f.txt'), 'a link inside is followed');
  assert.equal(await workspace.folder('sub'), path.join(root, 'sub'));
  await assert.rejects(workspace.folder('sub/f.txt'), (e) => e instanceof HostFailure && e.code === 'ENOTDIR');
  await assert.rejects(workspace.existing('nope'), (e) => e instanceof HostFailure && e.code === 'ENOENT');
});

test('absolute paths, "..", NUL bytes and symlinks out are refused', async (t) => {
  const { workspace } = await dirs(t);
  await refused(workspace.existing('/etc/passwd'), /is absolute/);
  await refused(workspace.existing('../ws/sub'), /contains "\.\."/);
  await refused(workspace.existing('sub/../../outside'), /contains "\.\."/);
  await refused(workspace.existing('sub/..'), /contains "\.\."/);
  await refused(workspace.existing('a\0b'), /NUL byte/);
  await refused(workspace.existing('x'.repeat(5000)), /longer than/);
  await refused(workspace.existing('out'), /symlink/);
  await refused(workspace.existing('out/anything'), /symlink/);
  await refused(workspace.writable('out/new.txt'), /symlink/);
  await refused(workspace.writable('out/a/b/new.txt'), /symlink/);
});

test('writable creates missing folders only after every check, and never through a link out', async (t) => {
  const { base, root, workspace } = await dirs(t);
  assert.equal(await workspace.writable('a/b/c.txt'), path.join(root, 'a', 'b', 'c.txt'));
  assert.ok((await stat(path.join(root, 'a', 'b'))).isDirectory());
  assert.equal(await workspace.writable('sub-link/new.txt'), path.join(root, 'sub', 'new.txt'));
  await refused(workspace.writable('out/x/y.txt'), /symlink/);
  await assert.rejects(stat(path.join(base, 'outside', 'x')), 'no folder was created outside');
  await assert.rejects(workspace.writable('.'), (e) => e instanceof HostFailure && e.code === 'EISDIR');
  await assert.rejects(workspace.writable('sub/f.txt/inner'), (e) => e instanceof HostFailure && e.code === 'ENOTDIR');
});

test("a workspace a grant names must exist; the kernel's default one is created on first use", async (t) => {
  const { base } = await dirs(t);
  const named = workspaceFor(path.join(base, 'missing'), {});
  await assert.rejects(named.root(), (e) => e instanceof HostFailure && e.code === 'ENOENT');
  await assert.rejects(stat(path.join(base, 'missing')));
  const fromKernel = workspaceFor(undefined, { workspace: path.join(base, 'home', 'workspace') });
  assert.equal(await fromKernel.root(), path.join(base, 'home', 'workspace'));
  assert.equal((await stat(path.join(base, 'home', 'workspace'))).mode & 0o777, 0o700);
  assert.equal(defaultWorkspace({ TITAN_HOME: '/srv/titan' }), '/srv/titan/workspace');
  assert.equal(defaultWorkspace({ TITAN_HOME: '/srv/titan', TITAN_WORKSPACE: '/data/ws' }), '/data/ws');
});

test('failures read "CODE: cause" in the WIT error string', async (t) => {
  const { workspace } = await dirs(t);
  const error = await workspace.existing('../x').catch((e: unknown) => e);
  assert.equal(
    failureText(error),
    'TITAN_E_WORKSPACE_PATH: "../x" contains ".."; paths may not climb out of the workspace (tools read and write only inside the workspace folder)',
  );
  assert.equal(failureText(new HostFailure('EFBIG', 'too big')), 'EFBIG: too big');
  assert.equal(failureText(Object.assign(new Error('denied'), { code: 'EACCES' })), 'EACCES: denied');
  assert.equal(failureText(Object.assign(new Error('EACCES: permission denied, open x'), { code: 'EACCES' })), 'EACCES: permission denied, open x');
  assert.equal(failureText(new Error('odd')), 'EIO: odd');
});
