// The file tools as the agent loop meets them: read-file and write-file deployed from
// components/tools, reading, writing and listing inside the workspace, and refusing - with
// TITAN_E_WORKSPACE_PATH and nothing written - every path that leaves it.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { rejectsWithCode } from '../../test/support/fixtures.ts';
import { toolKernel } from '../../test/tools/support.ts';

type Read = { path: string; content?: string; truncated?: boolean; entries?: string[] };

/** Every file and link under a folder with its content (or link target): to prove nothing changed. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const key = path.relative(dir, full);
    if (entry.isSymbolicLink()) out[key] = `-> ${await readlink(full)}`;
    else if (entry.isFile()) out[key] = await readFile(full, 'utf8');
    else out[key] = '<dir>';
  }
  return out;
}

test('write-file writes (creating folders), read-file reads it back and lists folders', async (t) => {
  const { kernel, workspace } = await toolKernel(t, ['read-file', 'write-file']);
  const text = 'héllo wörld ✓ 🚀\nsecond line\n';
  assert.deepEqual(await kernel.invokeTool('write-file', { path: 'notes/day/one.md', content: text }), {
    path: 'notes/day/one.md',
    bytes: Buffer.byteLength(text),
  });
  assert.equal(await readFile(path.join(workspace, 'notes/day/one.md'), 'utf8'), text);
  assert.deepEqual(await kernel.invokeTool('read-file', { path: 'notes/day/one.md' }), { path: 'notes/day/one.md', content: text, truncated: false });
  assert.deepEqual(await kernel.invokeTool('read-file', { path: './notes//day/one.md' }), { path: './notes//day/one.md', content: text, truncated: false });

  // Writing again replaces the whole content.
  await kernel.invokeTool('write-file', { path: 'notes/day/one.md', content: 'short' });
  assert.equal(((await kernel.invokeTool('read-file', { path: 'notes/day/one.md' })) as Read).content, 'short');

  await kernel.invokeTool('write-file', { path: 'b.txt', content: '' });
  assert.deepEqual(await kernel.invokeTool('read-file', { path: '.' }), { path: '.', entries: ['b.txt', 'notes/'] });
  assert.deepEqual(await kernel.invokeTool('read-file', { path: 'notes' }), { path: 'notes', entries: ['day/'] });
  assert.deepEqual(await kernel.invokeTool('read-file', { path: 'b.txt' }), { path: 'b.txt', content: '', truncated: false });

  const descriptors = (await Promise.all(['read-file', 'write-file'].map((name) => kernel.call('tool', name, 'describe', [])))) as Array<{
    needsApproval: boolean;
  }>;
  assert.deepEqual(
    descriptors.map((d) => d.needsApproval),
    [false, true],
    'reading needs no approval, writing does',
  );
  // Each is granted what it needs: read-file may only read (the host refuses its writes).
  const reader = await kernel.registry.show({ kind: 'tool', name: 'read-file', version: '1.0.0' });
  assert.deepEqual(Object.keys(reader.capabilities).sort(), ['files', 'log']);
  assert.equal(reader.capabilities.files.readOnly, true);
});

test('read-file cuts a long file at maxBytes on a whole character and says so', async (t) => {
  const { kernel, workspace } = await toolKernel(t, ['read-file']);
  await writeFile(path.join(workspace, 'long.txt'), 'aé✓🚀'.repeat(100));
  const cut = (await kernel.invokeTool('read-file', { path: 'long.txt', maxBytes: 6 })) as Read;
  assert.deepEqual(cut, { path: 'long.txt', content: 'aé✓', truncated: true });
  assert.deepEqual(await kernel.invokeTool('read-file', { path: 'long.txt', maxBytes: 1000 }), {
    path: 'long.txt',
    content: 'aé✓🚀'.repeat(100),
    truncated: false,
  });
  assert.equal(((await kernel.invokeTool('read-file', { path: 'long.txt', maxBytes: 999 })) as Read).truncated, true);

  await writeFile(path.join(workspace, 'image.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
  const binary = await rejectsWithCode(kernel.invokeTool('read-file', { path: 'image.bin' }), 'TITAN_E_COMPONENT_ERROR');
  assert.match(binary.message, /invalid-input: EBINARY: "image.bin" is not a text file/);
  const missing = await rejectsWithCode(kernel.invokeTool('read-file', { path: 'nope.txt' }), 'TITAN_E_COMPONENT_ERROR');
  assert.match(missing.message, /invalid-input: ENOENT: "nope.txt" does not exist in the workspace/);
});

test('paths that leave the workspace are refused with TITAN_E_WORKSPACE_PATH, and nothing is written', async (t) => {
  const { kernel, workspace, outside } = await toolKernel(t, ['read-file', 'write-file']);
  await writeFile(path.join(outside, 'secret.txt'), 'outside the workspace');
  await symlink(outside, path.join(workspace, 'out'));
  await symlink(path.join(outside, 'secret.txt'), path.join(workspace, 'secret-link'));
  await symlink(path.join(outside, 'missing.txt'), path.join(workspace, 'dangling'));
  await mkdir(path.join(workspace, 'in'));
  await writeFile(path.join(workspace, 'in', 'mine.txt'), 'mine');
  const before = { workspace: await snapshot(workspace), outside: await snapshot(outside) };

  const reads = [
    '../outside/secret.txt',
    '/etc/passwd',
    path.join(outside, 'secret.txt'),
    'out/secret.txt',
    'secret-link',
    'out',
    'in/../../outside',
    'dangling',
  ];
  for (const p of reads) {
    const error = await rejectsWithCode(kernel.invokeTool('read-file', { path: p }), 'TITAN_E_COMPONENT_ERROR');
    assert.match(error.message, /invalid-input: TITAN_E_WORKSPACE_PATH: .* \(tools read and write only inside the workspace folder\)$/, p);
    assert.equal((error as unknown as { details: { tag: string } }).details.tag, 'invalid-input');
  }
  const writes = [
    '../x',
    '../outside/secret.txt',
    '/etc/titan-test',
    path.join(outside, 'new.txt'),
    'out/new.txt',
    'out/deeper/new.txt',
    'secret-link',
    'dangling',
    'in/../../outside/x',
  ];
  for (const p of writes) {
    const error = await rejectsWithCode(kernel.invokeTool('write-file', { path: p, content: 'pwned' }), 'TITAN_E_COMPONENT_ERROR');
    assert.match(error.message, /invalid-input: TITAN_E_WORKSPACE_PATH: /, p);
  }
  assert.deepEqual({ workspace: await snapshot(workspace), outside: await snapshot(outside) }, before, 'nothing was written or created');
  await assert.rejects(stat('/etc/titan-test'));

  // A symlink that stays inside the workspace is followed.
  await symlink(path.join(workspace, 'in'), path.join(workspace, 'in-link'));
  assert.equal(((await kernel.invokeTool('read-file', { path: 'in-link/mine.txt' })) as Read).content, 'mine');
  await kernel.invokeTool('write-file', { path: 'in-link/new.txt', content: 'through the link' });
  assert.equal(await readFile(path.join(workspace, 'in', 'new.txt'), 'utf8'), 'through the link');
});
