// What `npm pack` writes to prebuilt/vendor: each library file with its package's licence, and the MCP
// SDK's parts as a bundle that loads on its own; a shipped file is read in place of its package's.
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { packageFile, VENDORED_FILES, vendoredFile } from '../common/vendored.ts';
import { shipVendored } from './vendor.ts';

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
