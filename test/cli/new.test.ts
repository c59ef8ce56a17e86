// `titan new tool NAME`: the folder it writes passes its own unit test, type-checks against the WIT
// declarations, and publishes (built, linked and smoke-tested by the kernel) as it is; a name that
// is not a component name or a folder that exists is refused and nothing is written.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT, runTitan } from '../support/cli.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';

test('a scaffolded tool passes its unit test, type-checks and publishes as written', async (t) => {
  const { home, cleanup } = await tempHome('titan-new-');
  t.after(cleanup);
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  const made = await runTitan(['new', 'tool', 'greet', '--in', home, '--json'], home);
  assert.equal(made.code, 0, made.stderr);
  const dir = path.join(home, 'greet');
  assert.deepEqual((await readdir(dir)).sort(), ['component.json', 'greet.js', 'greet.test.js', 'tsconfig.json', 'types']);

  execFileSync(process.execPath, ['--test', 'greet.test.js'], { cwd: dir, stdio: 'pipe' });
  execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, stdio: 'pipe' });

  const published = await runTitan(['registry', 'publish', dir, '--json'], home);
  assert.equal(published.code, 0, published.stderr);
  const [manifest] = JSON.parse(published.stdout) as Array<{ kind: string; name: string; version: string; description: string }>;
  assert.deepEqual([manifest.kind, manifest.name, manifest.version], ['tool', 'greet', '0.1.0']);
  assert.equal(manifest.description, 'Returns the text and its length.');
});

test('a bad name or an existing folder is refused and nothing is written', async (t) => {
  const { home, cleanup } = await tempHome('titan-new-');
  t.after(cleanup);
  const bad = await runTitan(['new', 'tool', 'Bad_Name', '--in', home], home);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /TITAN_E_USAGE: "Bad_Name" is not a component name/);
  await writeFile(path.join(home, 'keep'), 'mine');
  await runTitan(['new', 'tool', 'keep', '--in', home], home).then((r) => assert.match(r.stderr, /exists: nothing was written/));
  assert.equal(await readFile(path.join(home, 'keep'), 'utf8'), 'mine');
  const kind = await runTitan(['new', 'gadget', 'x', '--in', home], home);
  assert.equal(kind.code, 2);
  assert.match(kind.stderr, /Allowed choices are tool/);
});
