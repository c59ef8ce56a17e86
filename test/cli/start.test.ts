// The README's path for a newcomer: `npm start` on an empty TITAN_HOME builds, publishes and deploys
// the built-ins and keeps running; `titan registry list` shows them; `titan components` and
// `titan call` reach the running kernel; Ctrl-C stops it cleanly.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tempHome } from '../support/kernel.ts';
import { PROJECT_ROOT, runTitan, startTitan } from '../support/cli.ts';
import { findComponentDirs } from '../../toolchain/build.ts';

/** The core store's version as its manifest says (every migration bumps it). */
const CORE_VERSION = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'components/stores/core/component.json'), 'utf8')) as { version: string }).version;

// Every folder under components/ is a built-in: the expectations follow the folders.
const BUILT_INS = (await findComponentDirs(path.join(PROJECT_ROOT, 'components'))).length;

let home: string;
let cleanup: () => Promise<void>;
let kernel: ChildProcess;
let output: () => string;

before(async () => {
  ({ home, cleanup } = await tempHome('titan-cli-'));
  const running = await startTitan(home, 'ready in');
  kernel = running.child;
  output = running.output;
});

after(async () => {
  if (kernel.exitCode === null) kernel.kill('SIGKILL');
  await cleanup();
});

test('first start builds, publishes and deploys the built-ins, with progress', () => {
  assert.match(output(), new RegExp(`building components: ${BUILT_INS}/${BUILT_INS}`));
  assert.match(output(), /migrating store\/core: (\d+)\/\1 schema version \1 /); // the last migration, with its count
  // Each built-in named in the one publish line, whichever others stand between them.
  const published = /published to the registry: (.*)/.exec(output())?.[1].split(', ') ?? [];
  for (const ref of [`store/core@${CORE_VERSION}`, 'tool/clock@1.0.0', 'tool/echo@1.0.0', 'tool/kv@1.0.0'])
    assert.ok(published.includes(ref), `${ref} published`);
  assert.match(output(), new RegExp(`${BUILT_INS} components serving`));
});

test('titan registry list shows the built-ins with their descriptions', async () => {
  const { code, stdout } = await runTitan(['registry', 'list'], home);
  assert.equal(code, 0);
  for (const name of ['store/core', 'tool/echo', 'tool/clock', 'tool/kv']) assert.match(stdout, new RegExp(name));
  assert.match(stdout, /Returns the given text unchanged/);
  const { stdout: json } = await runTitan(['registry', 'list', '--json'], home);
  const manifests = JSON.parse(json) as Array<{ name: string; digest: string; imports: string[] }>;
  assert.equal(manifests.length, BUILT_INS);
  for (const name of ['core', 'clock', 'echo', 'kv'])
    assert.ok(
      manifests.some((m) => m.name === name),
      name,
    );
  assert.ok(manifests.every((m) => /^sha256:[0-9a-f]{64}$/.test(m.digest)));
  assert.deepEqual(manifests.find((m) => m.name === 'kv')!.imports.sort(), ['titan:host/kv@0.1.0', 'titan:host/log@0.1.0']);
});

test('titan components and titan call go through the running kernel', async () => {
  const { stdout } = await runTitan(['components', '--json'], home);
  const status = JSON.parse(stdout) as { running: boolean; components: Array<{ slot: string; version: string; instances: { live: number } }> };
  assert.equal(status.running, true);
  const serving = status.components.map((c) => `${c.slot}@${c.version}`);
  assert.equal(serving.length, BUILT_INS);
  for (const ref of [`store/core@${CORE_VERSION}`, 'tool/clock@1.0.0', 'tool/echo@1.0.0', 'tool/kv@1.0.0']) assert.ok(serving.includes(ref), ref);
  const called = await runTitan(['call', 'kv', '{"op":"set","key":"greeting","value":"hi"}', '--json'], home);
  assert.deepEqual(JSON.parse(called.stdout), { key: 'greeting', stored: true });
  const read = await runTitan(['call', 'kv', '{"op":"get","key":"greeting"}', '--json'], home);
  assert.deepEqual(JSON.parse(read.stdout), { key: 'greeting', value: 'hi' });
});

test('a bad command line gets a coded error and a non-zero exit', async () => {
  const unknown = await runTitan(['registry', 'frobnicate'], home);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^TITAN_E_USAGE: unknown registry verb "frobnicate"/);
  const missing = await runTitan(['registry', 'show', 'echo@9.9.9'], home);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /TITAN_E_NOT_FOUND: tool\/echo@9\.9\.9 is not published|TITAN_E_NOT_FOUND: echo@9\.9\.9 is not published/);
  const json = await runTitan(['call', 'nosuchtool', '{}', '--json'], home);
  assert.equal(JSON.parse(json.stdout).error.code, 'TITAN_E_SLOT_EMPTY');
});

test('a second kernel on the same home is refused; SIGINT stops the first cleanly', async () => {
  const second = await runTitan(['start'], home);
  assert.notEqual(second.code, 0);
  assert.match(second.stderr, /already running/);
  const exited = new Promise<number | null>((resolve) => kernel.once('exit', resolve));
  kernel.kill('SIGINT');
  assert.equal(await exited, 0);
  assert.equal(existsSync(path.join(home, 'run', 'kernel.sock')), false);
});

test('the second start reuses everything: nothing compiled, nothing published', async () => {
  const { stdout, code } = await runTitan(['start'], home, { untilOutput: 'ready in', thenSignal: 'SIGTERM' });
  assert.equal(code, 0);
  assert.match(stdout, new RegExp(`${BUILT_INS} built \\(0 compiled, ${BUILT_INS} from cache\\)`));
  assert.doesNotMatch(stdout, /published to the registry/);
  assert.doesNotMatch(stdout, /migrating/);
  assert.match(stdout, new RegExp(`${BUILT_INS} components serving`));
});
