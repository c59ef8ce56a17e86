import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { Ajv } from 'ajv';
import { files } from './files.ts';
import type { HostServices, InstanceContext } from './types.ts';
import { failure } from '../test/support/host-failure.ts';

type Files = {
  read(path: string, maxBytes: number): Promise<string>;
  write(path: string, content: string): Promise<bigint>;
  listDir(path: string): Promise<string[]>;
};

async function workspace(t: TestContext): Promise<string> {
  const base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'titan-files-')));
  t.after(() => rm(base, { recursive: true, force: true }));
  await mkdir(path.join(base, 'ws'));
  return path.join(base, 'ws');
}

function bound(grant: Record<string, unknown>): Files {
  const context: InstanceContext = {
    component: { kind: 'tool', name: 't', version: '1.0.0', digest: 'sha256:0' },
    grant,
    services: {} as HostServices,
    callId: undefined,
  };
  return files.bind(context, '0.2.0') as unknown as Files;
}

test('the grant schema compiles under ajv strict mode and refuses what it should', () => {
  const validate = new Ajv({ allErrors: true }).compile(files.grantSchema);
  assert.ok(validate({}));
  assert.ok(validate({ workspace: '/srv/ws', readOnly: true, maxReadBytes: 10, maxWriteBytes: 0 }));
  for (const bad of [{ workspace: 'ws' }, { readOnly: 'yes' }, { maxReadBytes: 0 }, { paths: [] }]) assert.equal(validate(bad), false, JSON.stringify(bad));
});

test('write, read and list-dir inside the workspace', async (t) => {
  const ws = await workspace(t);
  const api = bound({ workspace: ws });
  assert.equal(await api.write('a/b/c.txt', 'héllo'), 6n);
  assert.equal(await readFile(path.join(ws, 'a/b/c.txt'), 'utf8'), 'héllo');
  assert.equal(await api.read('a/b/c.txt', 0), 'héllo');
  assert.equal(await api.read('a/b/c.txt', 2), 'h', 'cut back to a whole character');
  assert.equal(await api.read('a/b/c.txt', 3), 'hé');
  assert.deepEqual(await api.listDir('.'), ['a/']);
  assert.deepEqual(await api.listDir('a/b'), ['c.txt']);
  assert.match(await failure(api.read('a', 0)), /^EISDIR: "a" is a folder/);
  assert.match(await failure(api.listDir('a/b/c.txt')), /^ENOTDIR: /);
  assert.match(await failure(api.write('a', 'x')), /^EISDIR: /);
  assert.match(await failure(api.write('.', 'x')), /^EISDIR: /);
  assert.match(await failure(api.write('a/b/c.txt/d', 'x')), /^ENOTDIR: /);
});

test("the grant's limits: readOnly refuses writes, maxWriteBytes refuses large ones, maxReadBytes cuts reads", async (t) => {
  const ws = await workspace(t);
  await writeFile(path.join(ws, 'big.txt'), 'x'.repeat(100));
  const reader = bound({ workspace: ws, readOnly: true, maxReadBytes: 10 });
  assert.equal(await reader.read('big.txt', 0), 'x'.repeat(10));
  assert.equal(await reader.read('big.txt', 1000), 'x'.repeat(10));
  assert.match(await failure(reader.write('new/file.txt', 'x')), /^EROFS: /);
  const small = bound({ workspace: ws, maxWriteBytes: 4 });
  assert.match(await failure(small.write('new/file.txt', 'hello')), /^EFBIG: 5 bytes is more than the 4/);
  assert.deepEqual(await readdir(ws), ['big.txt'], 'a refused write creates no folder and no file');
});

test('paths out of the workspace are refused with the TITAN_E_WORKSPACE_PATH wording', async (t) => {
  const ws = await workspace(t);
  const outside = path.join(path.dirname(ws), 'outside.txt');
  await writeFile(outside, 'secret');
  await symlink(outside, path.join(ws, 'link'));
  await symlink(path.dirname(ws), path.join(ws, 'up'));
  const api = bound({ workspace: ws });
  for (const p of ['../outside.txt', outside, 'link', 'up/outside.txt']) {
    assert.match(await failure(api.read(p, 0)), /^TITAN_E_WORKSPACE_PATH: .*\(tools read and write only inside the workspace folder\)$/, p);
    assert.match(await failure(api.write(p, 'pwned')), /^TITAN_E_WORKSPACE_PATH: /, p);
  }
  assert.match(await failure(api.listDir('up')), /^TITAN_E_WORKSPACE_PATH: /);
  assert.equal(await readFile(outside, 'utf8'), 'secret');
});
