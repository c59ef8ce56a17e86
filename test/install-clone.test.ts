// A server install from a clone, as the README gives it: `npm install --omit=dev` in the checkout,
// then `npx titan start`. A clone has no prebuilt/ (no built-ins, no carried libraries), so the
// packages the packed Titan carries as files (jco's transpiler, the MCP SDK, the web UI's libraries)
// are its runtime dependencies (toolchain/pack-manifest.ts): the first start builds and transpiles
// every built-in, an MCP server from npm answers a turn, and the web UI's libraries are served.
// Slow (a real npm install, from npm's cache when warm, and a first start that builds the built-ins).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { startScriptedLlm } from '../agent/api.ts';
import { PROJECT_ROOT } from './support/cli.ts';
import { apiOf, run, type Started, startInstalled, stopGroup, turn, waitServing } from './support/installed.ts';

const work = await mkdtemp(path.join(os.tmpdir(), 'titan-clone-'));
const started: Started[] = [];
const FILESYSTEM = path.join(PROJECT_ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
const notes = path.join(work, 'notes');
const llm = await startScriptedLlm({
  script: {
    name: 'clone',
    turns: [
      {
        match: { lastUserContains: 'shopping' },
        content: [{ type: 'tool_call', name: 'fs__read_text_file', arguments: { path: path.join(notes, 'shopping.txt') } }],
      },
      { match: { lastMessageContains: 'remember the eggs' }, content: [{ type: 'text', text: 'Your list says: remember the eggs.' }] },
      { match: { lastUserContains: 'say it back' }, content: [{ type: 'tool_call', name: 'echo', arguments: { text: 'from a clone' } }] },
      { match: { lastMessageContains: 'from a clone' }, content: [{ type: 'text', text: 'The echo said: from a clone.' }] },
    ],
  },
});

after(async () => {
  for (const titan of started) await stopGroup(titan.child);
  await llm.close();
  await rm(work, { recursive: true, force: true });
});

/** The checkout's files as a clone of it has them (tracked, and new files not ignored). */
async function cloneInto(dir: string): Promise<void> {
  const { stdout } = await promisify(execFile)('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 });
  const list = path.join(work, 'files');
  await writeFile(list, stdout);
  await mkdir(dir);
  await run('sh', ['-c', `tar -C "${PROJECT_ROOT}" --null -T "${list}" -cf - 2>/dev/null | tar -C "${dir}" -xf -`], { maxBuffer: 16 * 1024 * 1024 });
}

test('a clone installed with npm install --omit=dev starts with every built-in serving, answers with a built-in tool and an MCP server, and serves the UI libraries', {
  timeout: 900_000,
}, async () => {
  const clone = path.join(work, 'clone');
  await cloneInto(clone);
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: clone, maxBuffer: 16 * 1024 * 1024 });
  const installed = new Set(await readdir(path.join(clone, 'node_modules')));
  for (const dev of ['typescript', '@biomejs', 'dependency-cruiser', 'esbuild']) assert.ok(!installed.has(dev), `${dev} is a dev tool`);
  for (const needed of ['uplot', 'cytoscape', 'marked', 'dompurify', 'turndown', '@modelcontextprotocol'])
    assert.ok(installed.has(needed), `${needed} is installed: a clone reads it from its package`);
  assert.ok((await readdir(path.join(clone, 'node_modules', '@bytecodealliance'))).includes('jco-transpile'));
  const binaryen = JSON.parse(await readFile(path.join(clone, 'node_modules', 'binaryen', 'package.json'), 'utf8')) as { version: string };
  assert.equal(binaryen.version, '0.0.0-absent', "binaryen is the stand-in package.json's overrides name");

  const home = path.join(work, 'home');
  await mkdir(home);
  const env = { ...process.env, TITAN_HOME: home, TITAN_PORT: '0', TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: llm.url };
  const titan = startInstalled('npx', ['--no-install', 'titan', 'start'], { cwd: clone, env });
  started.push(titan);
  const url = await titan.url;
  const ready = await waitServing(titan);
  assert.equal(ready.status, 200, `${await ready.text()}\n${titan.output()}`);
  assert.doesNotMatch(titan.output(), /not serving/, titan.output());
  const { api } = await apiOf(url, home);

  // A built-in tool, transpiled in this home by jco's transpiler from its package.
  const echoed = await turn(api, 'say it back to me', 'The echo said');
  assert.deepEqual(
    echoed.map((m) => m.role),
    ['user', 'assistant', 'tool', 'assistant'],
    JSON.stringify(echoed),
  );

  // An MCP server from npm, through the SDK's package.
  await mkdir(notes);
  await writeFile(path.join(notes, 'shopping.txt'), 'remember the eggs\n');
  const added = await run('npx', ['--no-install', 'titan', 'mcp', 'add', 'fs', '--approval', 'never', '--', process.execPath, FILESYSTEM, notes], {
    cwd: clone,
    env: { ...process.env, TITAN_HOME: home },
  });
  assert.match(added.stdout, /fs: up, \d+ tools: .*fs__read_text_file/);
  const listed = await turn(api, 'what is on my shopping list?', 'Your list says');
  assert.match(listed.at(-2)?.content ?? '', /remember the eggs/, JSON.stringify(listed));

  // The web UI's browser libraries, from their packages.
  for (const file of ['uplot.js', 'uplot.css', 'marked.js', 'purify.js', 'cytoscape.js'])
    assert.equal((await fetch(`${url}/ui/vendor/${file}`)).status, 200, file);
});
