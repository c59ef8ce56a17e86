// The start bundle as users get it: built from this tree with the plain-JavaScript npm packages
// inside, `titan start` loads it (and says so), serves, answers a turn (and one calling a tool)
// through the gateway and finds its own files (package.json, the built-ins) beside the sources,
// not beside the bundle; `titan --version` runs from it too.
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/api.ts';
import { buildBundle } from '../../bin/bundle/build.ts';
import { type BundleRecord, freshBundle } from '../../bin/bundle/fresh.ts';
import { PROJECT_ROOT, runTitan, startTitan, stopTitan, type RunningTitan } from '../support/cli.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';

// Inside the project, as the real one (.bundle/) is: the bundle's npm imports resolve from node_modules.
const dir = path.join(PROJECT_ROOT, `.bundle-test-${process.pid}`);
const env = { TITAN_BUNDLE_DIR: dir };
let home: string;
let cleanup: () => Promise<void>;
let llm: ScriptedLlm;
let titan: RunningTitan;

before(async () => {
  await buildBundle(PROJECT_ROOT, dir);
  ({ home, cleanup } = await tempHome('titan-bundle-start-'));
  await mkdir(TEST_CACHE, { recursive: true });
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  llm = await startScriptedLlm({
    script: {
      name: 'bundle',
      whenExhausted: 'echo',
      turns: [
        { match: { lastUserContains: 'what time' }, content: [{ type: 'tool_call', name: 'clock', arguments: {} }] },
        { match: { lastMessageContains: 'epochMs' }, content: [{ type: 'text', text: 'the clock answered' }] },
      ],
    },
  });
  titan = await startTitan(home, 'Ctrl-C stops', { ...env, TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: llm.url });
});

after(async () => {
  if (titan) await stopTitan(titan.child);
  await llm?.close();
  await cleanup?.();
  await rm(dir, { recursive: true, force: true });
});

test('the tree just built from is fresh: a start loads the bundle and says so', () => {
  assert.ok(freshBundle(PROJECT_ROOT, dir));
  assert.match(titan.output(), /serving \d+ ms after the process started: .*; modules from the start bundle\)/);
});

test('the plain-JavaScript npm packages a start loads are inside; native and self-locating ones are not', async () => {
  const record = JSON.parse(await readFile(path.join(dir, 'current.json'), 'utf8')) as BundleRecord;
  const names = new Set(record.packages.map((p) => p.names.join('>')));
  for (const inside of ['koa', 'ajv', 'semver', '@koa/router']) assert.ok(names.has(inside), `${inside} is bundled`);
  for (const outside of ['libsql', 'pino', 'thread-stream', 'esbuild']) assert.ok(!names.has(outside), `${outside} stays in node_modules`);
  // Only what a start loads: the mesh's and other commands' packages would only add to the install.
  for (const later of ['libp2p', 'pg', '@modelcontextprotocol/sdk', 'react', 'prom-client']) assert.ok(!names.has(later), `${later} is not loaded by a start`);
  assert.ok(!record.inputs.some(([file]) => file.includes('node_modules')), 'packages are checked by version, not file by file');
});

/** One chat completion through the gateway; its answer's text. */
async function turn(content: string): Promise<string> {
  const gateway = /gateway on (http:\/\/127\.0\.0\.1:\d+)/.exec(titan.output())?.[1];
  assert.ok(gateway, titan.output());
  const token = (await readFile(path.join(home, 'gateway-token'), 'utf8')).trim();
  const response = await fetch(`${gateway}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'titan', messages: [{ role: 'user', content }] }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const answer = (await response.json()) as { choices: Array<{ message: { content: string } }> };
  return answer.choices[0].message.content;
}

test('started from the bundle, Titan serves and answers a turn, and one calling a tool', async () => {
  assert.equal(await turn('hello bundle'), 'echo: hello bundle');
  assert.equal(await turn('what time is it?'), 'the clock answered');
});

test('titan --version from the bundle reads the package version beside the sources', async () => {
  const { version } = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  const result = await runTitan(['--version'], home, { env });
  assert.equal(result.stdout.trim(), version, result.stderr);
});
