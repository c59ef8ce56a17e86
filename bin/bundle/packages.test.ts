// Which npm packages the start bundle takes in: plain JavaScript ones run from the bundle; native ones,
// ones that find files relative to themselves, and ones nesting such a package stay imports.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { describePackages, nameChain, npmPackages } from './packages.ts';

const root = await mkdtemp(path.join(os.tmpdir(), 'titan-bundle-packages-'));
after(() => rm(root, { recursive: true, force: true }));

async function pkg(dir: string, files: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: path.basename(dir), version: '1.2.3', main: 'index.js' }));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
}

test('plain packages are bundled and run; native, self-relative and their nesters stay imports', async () => {
  const modules = path.join(root, 'node_modules');
  await pkg(path.join(modules, 'plain'), { 'index.js': "exports.word = 'plain';\n" });
  await pkg(path.join(modules, 'selfish'), { 'index.js': "exports.word = require('path').basename(__dirname);\n" });
  await pkg(path.join(modules, 'native'), { 'index.js': "exports.word = 'native';\n", 'addon.node': '' });
  await pkg(path.join(modules, 'nester'), { 'index.js': "exports.word = 'nester ' + require('inner').word;\n" });
  await pkg(path.join(modules, 'nester', 'node_modules', 'inner'), { 'index.js': 'exports.word = __filename.length > 0 ? "inner" : "";\n' });
  await writeFile(
    path.join(root, 'entry.js'),
    "import plain from 'plain'; import selfish from 'selfish'; import native from 'native'; import nester from 'nester';\n" +
      'export const words = [plain.word, selfish.word, native.word, nester.word];\n',
  );
  const bundled = new Set<string>();
  const outdir = path.join(root, 'out');
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'entry.js')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outdir,
    logLevel: 'silent',
    banner: { js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" },
    plugins: [npmPackages(bundled)],
    metafile: true,
  });
  assert.deepEqual(
    [...bundled].map((dir) => path.basename(dir)),
    ['plain'],
  );
  const external = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  assert.deepEqual(external.sort(), ['native', 'nester', 'selfish']);
  const { words } = (await import(pathToFileURL(path.join(outdir, 'entry.js')).href)) as { words: string[] };
  assert.deepEqual(words, ['plain', 'selfish', 'native', 'nester inner'], 'each runs, from the bundle or from node_modules');
  assert.deepEqual(
    describePackages(root, bundled).map(({ names, version }) => ({ names, version })),
    [{ names: ['plain'], version: '1.2.3' }],
  );
});

test('a package is named as Node resolves it from the root, hoisted or nested', () => {
  assert.deepEqual(nameChain('/p', '/p/node_modules/@s/a'), ['@s/a']);
  assert.deepEqual(nameChain('/x/node_modules/titan', '/x/node_modules/koa'), ['koa'], 'hoisted beside an installed Titan');
  assert.deepEqual(nameChain('/x/node_modules/titan', '/x/node_modules/titan/node_modules/a/node_modules/b'), ['a', 'b']);
});
