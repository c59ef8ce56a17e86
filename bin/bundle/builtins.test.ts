// Node's modules in the start bundle: importing node:http there no longer loads undici (its
// WebSocket getter), the module and its exports are Node's own, and every Node module's text builds.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { builtinModules as nodeModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import * as esbuild from 'esbuild';
import { builtinModules, builtinModuleSource } from './builtins.ts';

const root = await mkdtemp(path.join(os.tmpdir(), 'titan-bundle-builtins-'));
after(() => rm(root, { recursive: true, force: true }));

/** Bundles `source` as the start bundle does Node's modules, runs it, and returns what it printed. */
async function runBundled(source: string): Promise<string> {
  await writeFile(path.join(root, 'entry.js'), source);
  await esbuild.build({
    entryPoints: [path.join(root, 'entry.js')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: path.join(root, 'out.mjs'),
    logLevel: 'silent',
    plugins: [builtinModules()],
  });
  return execFileSync(process.execPath, [path.join(root, 'out.mjs')], { encoding: 'utf8' });
}

test("a bundled import of node:http serves Node's http without loading undici; its WebSocket still works when read", async () => {
  const printed = await runBundled(
    [
      "import http, { createServer, STATUS_CODES } from 'node:http';",
      "import { readFileSync } from 'fs';",
      "const undici = () => process.moduleLoadList.some((m) => m.includes('undici'));",
      'const before = undici();',
      "const same = http === process.getBuiltinModule('node:http') && createServer === http.createServer && readFileSync === process.getBuiltinModule('node:fs').readFileSync;",
      'console.log(JSON.stringify({ before, same, ok: STATUS_CODES[200], ws: typeof http.WebSocket, after: undici() }));',
    ].join('\n'),
  );
  assert.deepEqual(JSON.parse(printed), { before: false, same: true, ok: 'OK', ws: 'function', after: true });
});

test("a bundled import of node:fs does not load Node's file streams until they are read", async () => {
  const printed = await runBundled(
    [
      "import fs, { readFileSync, createReadStream } from 'node:fs';",
      "const streams = () => process.moduleLoadList.includes('NativeModule internal/fs/streams');",
      'const before = streams();',
      "const same = readFileSync === fs.readFileSync && typeof createReadStream === 'function';",
      'console.log(JSON.stringify({ before, same, stream: typeof fs.ReadStream, after: streams() }));',
    ].join('\n'),
  );
  assert.deepEqual(JSON.parse(printed), { before: false, same: true, stream: 'function', after: true });
});

test('a named import of a getter left on the object fails the build, not a start', async () => {
  await assert.rejects(runBundled("import { WebSocket } from 'node:http';\nconsole.log(typeof WebSocket);\n"), /No matching export/);
});

test("every Node module's text is valid JavaScript", async () => {
  // Deprecated ones aside: reading them only prints their deprecation warning.
  for (const name of nodeModules.filter((n) => !n.startsWith('_') && !['punycode', 'sys'].includes(n))) {
    const id = name.startsWith('node:') ? name : `node:${name}`;
    await esbuild.transform(builtinModuleSource(id), { format: 'esm', loader: 'js' });
  }
});
