// Packages the start bundle loads on first use: requiring one (and reading a function off it, as koa
// does with mime-types) runs nothing of it; the first call runs it, from node_modules (its code is not
// in the bundle), and answers as the package does; a copy nested in another package stays that copy.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import * as esbuild from 'esbuild';
import { lazyPackages } from './lazy-packages.ts';

const root = await mkdtemp(path.join(os.tmpdir(), 'titan-bundle-lazy-'));
after(() => rm(root, { recursive: true, force: true }));

async function pkg(dir: string, version: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'slow-db', version, main: 'index.js' }));
  await writeFile(
    path.join(dir, 'index.js'),
    `globalThis.loadedCopies = (globalThis.loadedCopies ?? []).concat('${version}');\n` +
      `exports.table = { json: 'application/json' };\nexports.lookup = (name) => exports.table[name] + ' (${version})';\n`,
  );
}

test('a lazy package runs at its first call from node_modules, answers as itself, and a nested copy stays its own', async () => {
  const modules = path.join(root, 'node_modules');
  await pkg(path.join(modules, 'slow-db'), '2.0.0');
  await mkdir(path.join(modules, 'user'), { recursive: true });
  await writeFile(path.join(modules, 'user', 'package.json'), JSON.stringify({ name: 'user', version: '1.0.0', main: 'index.js' }));
  await writeFile(path.join(modules, 'user', 'index.js'), "const lookup = require('slow-db').lookup;\nexports.type = (name) => lookup(name);\n");
  await pkg(path.join(modules, 'user', 'node_modules', 'slow-db'), '1.0.0');
  await writeFile(
    path.join(root, 'entry.js'),
    [
      "const db = require('slow-db');",
      "const user = require('user');",
      'const before = globalThis.loadedCopies ?? [];',
      "const answers = [db.lookup('json'), user.type('json'), db.table.json];",
      'console.log(JSON.stringify({ before, answers, loaded: globalThis.loadedCopies }));',
    ].join('\n'),
  );
  await esbuild.build({
    entryPoints: [path.join(root, 'entry.js')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    outfile: path.join(root, 'out.cjs'),
    logLevel: 'silent',
    plugins: [lazyPackages(root, ['slow-db'])],
  });
  assert.doesNotMatch(await readFile(path.join(root, 'out.cjs'), 'utf8'), /application\/json/, 'the package is not in the bundle');
  const printed = JSON.parse(execFileSync(process.execPath, [path.join(root, 'out.cjs')], { encoding: 'utf8' })) as Record<string, unknown>;
  assert.deepEqual(printed, {
    before: [],
    answers: ['application/json (2.0.0)', 'application/json (1.0.0)', 'application/json'],
    loaded: ['2.0.0', '1.0.0'],
  });
});

test('a lazy package that is itself a function, imported by an ES module, runs at its first call and answers as itself', async () => {
  const dir = path.join(root, 'callable');
  const body = path.join(dir, 'node_modules', 'body-reader');
  await mkdir(body, { recursive: true });
  await writeFile(path.join(body, 'package.json'), JSON.stringify({ name: 'body-reader', version: '1.0.0', main: 'index.js' }));
  await writeFile(
    path.join(body, 'index.js'),
    "globalThis.bodyReaderLoaded = true;\nexports = module.exports = (text) => 'any:' + text;\nexports.json = (text) => JSON.parse(text);\n",
  );
  await writeFile(
    path.join(dir, 'entry.mjs'),
    [
      "import reader from 'body-reader';",
      'const before = globalThis.bodyReaderLoaded === true;',
      "const answers = [reader.json('{\"a\":1}'), reader('x')];",
      'console.log(JSON.stringify({ before, answers, after: globalThis.bodyReaderLoaded === true }));',
    ].join('\n'),
  );
  await esbuild.build({
    entryPoints: [path.join(dir, 'entry.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: path.join(dir, 'out.mjs'),
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
    plugins: [lazyPackages(dir, ['body-reader'])],
  });
  assert.doesNotMatch(await readFile(path.join(dir, 'out.mjs'), 'utf8'), /'any:'/, 'the package is not in the bundle');
  const printed = JSON.parse(execFileSync(process.execPath, [path.join(dir, 'out.mjs')], { encoding: 'utf8' })) as Record<string, unknown>;
  assert.deepEqual(printed, { before: false, answers: [{ a: 1 }, 'any:x'], after: true });
});
