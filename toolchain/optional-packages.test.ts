// What a production install leaves out still leaves Titan whole: with binaryen absent (in a clone an
// empty package through package.json overrides; an installed Titan has no jco package at all, see
// toolchain/vendor.test.ts) a component is built and transpiled as always; with
// esbuild absent (a development and component-author install) a source that imports an npm package
// fails with TITAN_E_BUNDLER_MISSING and its fix. Each case runs in a child process whose module
// resolution cannot find the package, whatever this checkout has installed.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { projectUrl, withoutPackages } from '../test/support/without-packages.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
let work: string;

before(async () => (work = await mkdtemp(path.join(os.tmpdir(), 'titan-optional-'))));
after(() => rm(work, { recursive: true, force: true }));

const without = (packages: string[], body: string) => withoutPackages(work, packages, body);
const url = projectUrl;

test('without binaryen a component is built and transpiled into its core modules and glue', { timeout: 240_000 }, async () => {
  const out = await without(
    ['binaryen'],
    `
    const { buildComponent } = await import(${url('toolchain/build.ts')});
    const { transpileCached } = await import(${url('toolchain/transpile.ts')});
    let binaryen = 'found';
    try { import.meta.resolve('binaryen/bin/wasm-opt'); } catch { binaryen = 'absent'; }
    const cacheDir = ${JSON.stringify(path.join(work, 'cache'))};
    const built = await buildComponent(${JSON.stringify(path.join(ROOT, 'components/tools/echo'))}, { cacheDir });
    const plain = await transpileCached(built.wasm, built.digest, { asyncImports: [], asyncExports: [] }, cacheDir);
    const jspi = await transpileCached(built.wasm, built.digest, { asyncImports: ['titan:host/log@0.1.0#log'], asyncExports: ['titan:tool/tool@0.1.0#invoke'] }, cacheDir);
    console.log(JSON.stringify({ binaryen, plain: { js: plain.js.length, cores: plain.cores.size }, jspi: { js: jspi.js.length, cores: jspi.cores.size, jspi: jspi.jspi } }));
    `,
  );
  const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
    binaryen: string;
    plain: { js: number; cores: number };
    jspi: { js: number; cores: number; jspi: boolean };
  };
  assert.equal(result.binaryen, 'absent', 'the child cannot find binaryen');
  assert.ok(result.plain.js > 1000 && result.plain.cores > 0, 'the glue and the core modules are written');
  assert.ok(result.jspi.jspi && result.jspi.js > 1000 && result.jspi.cores > 0, 'the JSPI transpile works too');
});

test('without esbuild, a source importing an npm package is refused with TITAN_E_BUNDLER_MISSING and its fix', { timeout: 120_000 }, async () => {
  const dir = path.join(work, 'imports-ms');
  await cp(path.join(ROOT, 'components/tools/echo'), dir, { recursive: true });
  const source = path.join(dir, 'echo.js');
  await writeFile(source, `import ms from 'ms';\n${await readFile(source, 'utf8')}`);
  const out = await without(
    ['esbuild'],
    `
    const { buildComponent } = await import(${url('toolchain/build.ts')});
    const { ERRORS } = await import(${url('common/errors.ts')});
    try {
      await buildComponent(${JSON.stringify(dir)}, { cacheDir: ${JSON.stringify(path.join(work, 'cache'))} });
      console.log(JSON.stringify({ built: true }));
    } catch (error) {
      console.log(JSON.stringify({ code: error.code, message: error.message, fix: ERRORS[error.code]?.fix }));
    }
    `,
  );
  const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { code?: string; message?: string; fix?: string };
  assert.equal(result.code, 'TITAN_E_BUNDLER_MISSING');
  assert.match(result.message ?? '', /imports npm packages/);
  assert.match(result.fix ?? '', /npm install -D esbuild/);
});
