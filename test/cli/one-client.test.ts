// The CLI's one client of the gateway's route table: while `titan start` runs, a verb goes through
// its control socket and answers exactly as the same verb does on the stopped home (where the CLI
// opens the state itself and answers through the same routes); `titan registry publish` with a
// kernel running publishes through it and opens no second kernel on its home.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PROJECT_ROOT, runTitan, startTitan } from '../support/cli.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';

let home: string;
let cleanup: () => Promise<void>;
let kernel: ChildProcess;

/** The pids that wrote to the home's kernel log (its rotated files): one per kernel ever opened on it. */
async function logPids(): Promise<Set<number>> {
  const dir = path.join(home, 'logs');
  const files = (await readdir(dir).catch(() => [])).filter((name) => name.endsWith('.log'));
  const text = (await Promise.all(files.map((name) => readFile(path.join(dir, name), 'utf8')))).join('');
  return new Set(
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { pid: number }).pid),
  );
}

async function json(args: string[]): Promise<unknown> {
  const result = await runTitan([...args, '--json'], home);
  return JSON.parse(result.stdout);
}

before(async () => {
  ({ home, cleanup } = await tempHome('titan-one-client-'));
  // The built-ins come from the build cache the tests share, so the first start compiles nothing.
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  // The log goes to its file (not to the piped stdout), where every kernel opened on the home writes.
  const running = await startTitan(home, 'gateway on ', { TITAN_LOG_TO: 'file' });
  kernel = running.child;
});

after(async () => {
  if (kernel.exitCode === null) kernel.kill('SIGKILL');
  await cleanup();
});

const VERBS = [
  ['kernel', 'patches'],
  ['pairing', 'list'],
  ['reflex', 'list'],
  ['db', 'status'],
  ['mesh', 'status'],
  ['kernel', 'approve', 'no-such-patch'],
  ['call', 'kv', '{"op":"get","key":"greeting"}'],
];

test('with a kernel running, registry publish goes through it and opens no second kernel on the home', async () => {
  assert.equal(((await json(['components'])) as { running: boolean }).running, true);
  assert.ok(
    [...(await logPids())].every((pid) => pid === kernel.pid),
    'only the running kernel has written to the log',
  );

  const published = await runTitan(['registry', 'publish', path.join(PROJECT_ROOT, 'test/fixtures/components/echo-v2'), '--json'], home);
  assert.equal(published.code, 0, published.stderr);
  assert.deepEqual(
    (JSON.parse(published.stdout) as Array<{ name: string; version: string }>).map((m) => `${m.name}@${m.version}`),
    ['echo@1.1.0'],
  );
  const patch = (await json(['kernel', 'propose', 'echo@1.1.0', '--why', 'try the new echo'])) as { slot: string; toVersion: string; state: string };
  assert.deepEqual([patch.slot, patch.toVersion, patch.state], ['tool/echo', '1.1.0', 'proposed'], 'the running kernel proposes what was published');
  // A kernel opened by the CLI would have logged its deployments under its own pid.
  assert.deepEqual([...(await logPids())], [kernel.pid], 'no other process opened a kernel on the home');
});

test('every verb answers the same through the running kernel as on the stopped home', async () => {
  await json(['call', 'kv', '{"op":"set","key":"greeting","value":"hi"}']);
  const running = [];
  for (const verb of VERBS) running.push(await json(verb));
  assert.deepEqual(running.at(-1), { key: 'greeting', value: 'hi' });
  assert.equal((running[5] as { error: { code: string } }).error.code, 'TITAN_E_NOT_FOUND');
  // (The kernel may also have proposed echo@1.1.0 itself on seeing it published.)
  assert.ok(
    (running[0] as Array<{ history: Array<{ why: string }> }>).some((p) => p.history[0].why === 'try the new echo'),
    'the proposed patch is listed',
  );

  const exited = new Promise<number | null>((resolve) => kernel.once('exit', resolve));
  kernel.kill('SIGINT');
  assert.equal(await exited, 0);
  assert.equal(((await json(['components'])) as { running: boolean }).running, false);
  // The first four verbs only read: they answer from the store file (bin/store-file.ts) and open no
  // kernel (one would log under its own pid); a call does open one.
  const beforeReads = await logPids();
  for (const verb of VERBS.slice(0, 4)) await json(verb);
  assert.deepEqual(await logPids(), beforeReads, 'no kernel was opened for the reads');
  await json(VERBS[6]);
  assert.equal((await logPids()).size, beforeReads.size + 1, 'a kernel opened for the call logs');
  const stopped = [];
  for (const verb of VERBS) stopped.push(await json(verb));
  assert.deepEqual(stopped, running);
});
