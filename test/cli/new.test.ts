// `titan new tool|channel|provider NAME`: the folder it writes passes its own unit test, type-checks
// against the WIT declarations, and publishes (built, linked and smoke-tested by the kernel) as it
// is; a source importing an npm package is bundled at build; a name that is not a component name
// or a folder that exists is refused and nothing is written.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
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
  assert.match(kind.stderr, /Allowed choices are tool, channel, provider/);
});

test('a scaffolded channel and provider pass their unit tests, type-check and publish as written', async (t) => {
  const { home, cleanup } = await tempHome('titan-new-');
  t.after(cleanup);
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  for (const [kind, name] of [
    ['channel', 'my-hook'],
    ['provider', 'my-llm'],
  ]) {
    const made = await runTitan(['new', kind, name, '--in', home, '--json'], home);
    assert.equal(made.code, 0, made.stderr);
    const dir = path.join(home, name);
    execFileSync(process.execPath, ['--test', `${name}.test.js`], { cwd: dir, stdio: 'pipe' });
    execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, stdio: 'pipe' });
    const published = await runTitan(['registry', 'publish', dir, '--json'], home);
    assert.equal(published.code, 0, published.stderr);
    const [manifest] = JSON.parse(published.stdout) as Array<{ kind: string; name: string; channel?: unknown; provider?: unknown }>;
    assert.deepEqual([manifest.kind, manifest.name], [kind, name]);
    assert.ok(manifest[kind as 'channel' | 'provider'], `its ${kind} section is published with it`);
  }
});

test('a component importing an npm package is bundled at build and runs it', async (t) => {
  const { home, cleanup } = await tempHome('titan-new-');
  t.after(cleanup);
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  assert.equal((await runTitan(['new', 'tool', 'duration', '--in', home], home)).code, 0);
  const dir = path.join(home, 'duration');
  // As `npm install ms` in the folder would leave it (the package comes from Titan's own install here).
  await mkdir(path.join(dir, 'node_modules'));
  await symlink(path.join(PROJECT_ROOT, 'node_modules/ms'), path.join(dir, 'node_modules/ms'));
  const source = await readFile(path.join(dir, 'duration.js'), 'utf8');
  await writeFile(
    path.join(dir, 'duration.js'),
    `import ms from 'ms';\n${source.replace('JSON.stringify({ text: args.text, length: args.text.length })', 'JSON.stringify({ text: args.text, ms: ms(args.text) })')}`,
  );
  const manifest = JSON.parse(await readFile(path.join(dir, 'component.json'), 'utf8')) as { smoke: unknown };
  manifest.smoke = [{ input: '{"text":"2h"}', expect: '{"text":"2h","ms":7200000}' }];
  await writeFile(path.join(dir, 'component.json'), JSON.stringify(manifest));
  // Published only if the smoke case's answer, computed by the bundled package inside the component, matched.
  const published = await runTitan(['registry', 'publish', dir, '--json'], home);
  assert.equal(published.code, 0, published.stderr);

  await writeFile(path.join(dir, 'duration.js'), `import pad from 'left-pad-not-installed';\n${source}`);
  const missing = await runTitan(['registry', 'publish', dir], home);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /TITAN_E_BUILD_FAILED: .*bundling its npm imports failed: .*left-pad-not-installed/);
  assert.match(missing.stderr, /npm install PACKAGE/);
});
