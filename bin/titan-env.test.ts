// `node bin/titan.js start` run without the shebang (a process manager, a service file) becomes the
// server the shebang starts: same process, with MALLOC_ARENA_MAX=2 and the shebang's Node flags; an
// operator's own MALLOC_ARENA_MAX is left as it is, and so is every other command.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../test/support/cli.ts';
import { TITAN_FLAGS } from './node-flags.ts';

const linux = process.platform === 'linux';

/** The process's command line and environment as the system sees them. */
function seen(pid: number): { argv: string[]; env: Record<string, string> } {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const env = Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  return { argv, env };
}

async function withStart(env: NodeJS.ProcessEnv, look: (child: ChildProcess) => Promise<void>): Promise<void> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'titan-env-'));
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/titan.js', 'start'], {
    cwd: PROJECT_ROOT,
    env: { ...env, TITAN_HOME: home, TITAN_PORT: '0' },
    stdio: 'ignore',
  });
  try {
    await look(child);
  } finally {
    const closed = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGKILL');
    await closed;
    await rm(home, { recursive: true, force: true });
  }
}

/** Waits until the process's command line has a Node flag, or gives up after `ms`. */
async function flagShows(pid: number, flag: string, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(50)) {
    if (seen(pid).argv.includes(flag)) return true;
  }
  return false;
}

test('titan start without the shebang runs as with it: same process, MALLOC_ARENA_MAX=2 and its Node flags', { skip: !linux && 'Linux only' }, async () => {
  const { MALLOC_ARENA_MAX: _, ...env } = process.env;
  await withStart(env, async (child) => {
    const pid = child.pid as number;
    assert.ok(await flagShows(pid, TITAN_FLAGS[0], 30_000), `${TITAN_FLAGS[0]} in ${seen(pid).argv.join(' ')}`);
    const { argv, env: given } = seen(pid);
    assert.equal(given.MALLOC_ARENA_MAX, '2');
    for (const flag of TITAN_FLAGS) assert.equal(argv.filter((a) => a === flag).length, 1, `${flag} once in ${argv.join(' ')}`);
    assert.deepEqual(argv.slice(-2), [path.join(PROJECT_ROOT, 'bin', 'titan.js'), 'start']);
  });
});

test("an operator's own MALLOC_ARENA_MAX is kept and the command runs as it was started", { skip: !linux && 'Linux only' }, async () => {
  await withStart({ ...process.env, MALLOC_ARENA_MAX: '4' }, async (child) => {
    const pid = child.pid as number;
    // Long enough for a start to have re-run itself had it been going to.
    await sleep(1500);
    const { argv, env } = seen(pid);
    assert.equal(env.MALLOC_ARENA_MAX, '4');
    assert.ok(!argv.includes(TITAN_FLAGS[0]), argv.join(' '));
  });
});
