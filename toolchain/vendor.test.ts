// What `npm pack` writes to prebuilt/vendor: each library file with its package's licence, the MCP
// SDK's parts as a bundle that loads on its own, and jco's transpiler as one that transpiles as the
// package does with none of jco's packages installed; a shipped file is read in place of its package's.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageFile, VENDORED_FILES, vendoredFile } from '../common/vendored.ts';
import { withoutPackages } from '../test/support/without-packages.ts';
import { TEST_CACHE } from '../test/support/kernel.ts';
import { buildComponent } from './build.ts';
import { shipVendored } from './vendor.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

test('the vendored libraries and the MCP bundle are written with their licences, and read before the packages', { timeout: 120_000 }, async () => {
  const out = path.join(os.tmpdir(), `titan-vendor-${process.pid}`);
  try {
    const { files, packages } = await shipVendored(out);
    assert.equal(files, Object.keys(VENDORED_FILES).length);
    for (const name of Object.keys(VENDORED_FILES) as Array<keyof typeof VENDORED_FILES>) {
      assert.deepEqual(await readFile(path.join(out, name)), await readFile(packageFile(name) as string), `${name} is a copy of its package's file`);
      assert.equal(vendoredFile(name, out), path.join(out, name), 'the shipped copy is read first');
    }
    // Every package whose code is here has its licence here, and the NOTICE names it.
    const notice = await readFile(path.join(out, 'NOTICE'), 'utf8');
    for (const name of ['@modelcontextprotocol/sdk', 'zod', 'uplot', 'turndown', 'dompurify']) {
      assert.match(notice, new RegExp(`^  ${name}@\\d`, 'm'));
      assert.ok((await readdir(path.join(out, 'licenses', name))).length > 0, `${name}'s licence`);
    }
    assert.equal(notice.match(/^ {2}\S+@/gm)?.length, packages);
    // The bundle loads without the SDK's own files and gives the classes Titan uses.
    const sdk = (await import(pathToFileURL(path.join(out, 'mcp', 'sdk.js')).href)) as Record<string, unknown>;
    for (const name of ['Client', 'StdioClientTransport', 'StreamableHTTPClientTransport', 'Server', 'StdioServerTransport', 'McpError']) {
      assert.equal(typeof sdk[name], 'function', name);
    }
    const http = (await import(pathToFileURL(path.join(out, 'mcp', 'http-server.js')).href)) as Record<string, unknown>;
    assert.equal(typeof http.StreamableHTTPServerTransport, 'function');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test("jco's bundle transpiles as the package does, with jco's packages, binaryen and the minifier not installed", { timeout: 240_000 }, async () => {
  // Inside the project: the bundle imports the WASI shim, a dependency of Titan's, from its node_modules.
  await mkdir(path.join(ROOT, '.scratch'), { recursive: true });
  const out = await mkdtemp(path.join(ROOT, '.scratch', 'vendor-'));
  try {
    await shipVendored(out);
    assert.match(await readFile(path.join(out, 'NOTICE'), 'utf8'), /^ {2}@bytecodealliance\/jco-transpile@\d/m);
    const built = await buildComponent(path.join(ROOT, 'components/tools/echo'), { cacheDir: TEST_CACHE });
    const wasm = path.join(out, 'echo.wasm');
    await writeFile(wasm, built.wasm);
    const jspi = { asyncMode: 'jspi', asyncImports: ['titan:host/log@0.1.0#log'], asyncExports: ['titan:tool/tool@0.1.0#invoke'] };
    const options = [{}, jspi].map((extra) => ({ name: 'component', instantiation: 'async', noComponentErrorWrapping: false, ...extra }));
    const digest = (files: Record<string, Uint8Array>) =>
      Object.entries(files)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, data]) => `${name}:${Buffer.from(data).toString('base64')}`)
        .join();
    const stdout = await withoutPackages(
      out,
      ['@bytecodealliance/jco-transpile', '@bytecodealliance/jco', 'binaryen', 'oxc-minify', '@bytecodealliance/preview3-shim'],
      `
      import { readFile } from 'node:fs/promises';
      import { createHash } from 'node:crypto';
      const { transpileBytes } = await import(${JSON.stringify(pathToFileURL(path.join(out, 'jco', 'transpile.js')).href)});
      const { componentWit } = await import(${JSON.stringify(pathToFileURL(path.join(out, 'jco', 'wasm-tools.js')).href)});
      const bytes = await readFile(${JSON.stringify(wasm)});
      const digest = ${digest.toString()};
      const results = [];
      for (const options of ${JSON.stringify(options)}) results.push(createHash('sha256').update(digest((await transpileBytes(bytes, options)).files)).digest('hex'));
      let minify = 'minified';
      try { await transpileBytes(bytes, { ...${JSON.stringify(options[0])}, minify: true }); } catch (error) { minify = error.message; }
      console.log(JSON.stringify({ results, wit: await componentWit(bytes), minify }));
      `,
    );
    const child = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { results: string[]; wit: string; minify: string };
    const { transpileBytes } = await import('@bytecodealliance/jco-transpile');
    const { componentWit } = await import('@bytecodealliance/jco-transpile/wasm-tools');
    const expected: string[] = [];
    for (const option of options) {
      const { files } = await transpileBytes(built.wasm, option as Parameters<typeof transpileBytes>[1]);
      expected.push(createHash('sha256').update(digest(files)).digest('hex'));
    }
    assert.deepEqual(child.results, expected, 'the same glue and core modules, plain and with JSPI');
    assert.equal(child.wit, await componentWit(built.wasm));
    assert.match(child.wit, /export titan:tool\/tool@/);
    assert.equal(child.minify, 'minified glue is not shipped with Titan', 'the minifier, never used, is a stand-in that refuses');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
