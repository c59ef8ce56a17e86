// `titan job` against a running `titan start` on the real Docker engine: submit and follow the
// output live, list, show, logs, cancel, export the files as tar, and a job's limit reported with
// its code; the web UI's download route serves the same archive.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runTitan, startTitan } from '../support/cli.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { NO_DOCKER, removeContainersOf } from '../jobs/support.ts';

let home: string;
let cleanup: () => Promise<void>;
let kernel: ChildProcess | undefined;
let startOutput = '';

before(async () => {
  if (NO_DOCKER) return;
  ({ home, cleanup } = await tempHome('titan-job-cli-'));
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  // The jobs part (which says where the shell runs) starts after ready: 'Ctrl-C stops.' comes once it has.
  const running = await startTitan(home, 'Ctrl-C stops.');
  kernel = running.child;
  startOutput = running.output();
});

after(async () => {
  if (!kernel) return;
  if (kernel.exitCode === null) kernel.kill('SIGTERM');
  await new Promise((resolve) => (kernel?.exitCode === null ? kernel.once('exit', resolve) : resolve(null)));
  await removeContainersOf(home);
  await cleanup();
});

type JobView = { id: string; state: string; reason: string | null; exitCode: number | null };

async function json<T>(args: string[]): Promise<T> {
  const result = await runTitan(['--json', ...args], home);
  assert.ok(result.stdout, result.stderr);
  return JSON.parse(result.stdout) as T;
}

test('submit -f prints the output live and exits with the job; list, show, logs and export follow', { skip: NO_DOCKER, timeout: 120_000 }, async () => {
  const run = await runTitan(['job', 'submit', '--name', 'build', '-f', '--', 'echo hello; echo warn >&2; mkdir -p out; echo data > out/file.txt'], home);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'hello\n');
  assert.match(run.stderr, /^job (job_\w+) submitted\nwarn\n$/);
  const id = /job (job_\w+) submitted/.exec(run.stderr)?.[1] as string;

  const list = await json<{ jobs: JobView[] }>(['job', 'list']);
  assert.deepEqual(
    list.jobs.map((j) => [j.id, j.state]),
    [[id, 'succeeded']],
  );
  const show = await runTitan(['job', 'show', id], home);
  assert.match(show.stdout, new RegExp(`^${id}  succeeded  \\(build\\)\\ncommand:  echo hello`));
  assert.match(show.stdout, /no network/);
  const logs = await runTitan(['job', 'logs', id], home);
  assert.equal(logs.stdout, 'hello\n');
  assert.equal(logs.stderr, 'warn\n');

  const file = path.join(home, 'files.tar');
  const exported = await runTitan(['job', 'export', id, file], home);
  assert.equal(exported.code, 0, exported.stderr);
  assert.deepEqual(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n').filter(Boolean).sort(), ['out', 'out/file.txt']);
  assert.equal(execFileSync('tar', ['-xOf', file, 'out/file.txt'], { encoding: 'utf8' }), 'data\n');
});

test('with Docker answering, titan start runs the shell tool in the sandbox, where it needs no approval', { skip: NO_DOCKER, timeout: 60_000 }, async () => {
  assert.match(startOutput, /shell: commands run in a Docker sandbox container/);
  const called = await runTitan(['call', 'shell', JSON.stringify({ command: 'test -f /.dockerenv && echo sandboxed' }), '--json'], home);
  assert.equal(JSON.parse(called.stdout).stdout, 'sandboxed\n', called.stderr);
});

test('cancel stops a running job; a job past its memory limit exits 1 with TITAN_E_JOB_OOM', { skip: NO_DOCKER, timeout: 120_000 }, async () => {
  const { id } = await json<JobView>(['job', 'submit', '--', 'echo started; sleep 60']);
  const following = runTitan(['job', 'logs', '-f', id], home);
  const cancelled = await json<JobView>(['job', 'cancel', id]);
  assert.equal(cancelled.state, 'cancelled');
  const followed = await following;
  assert.equal(followed.code, 1, 'the follower ends with the job');
  assert.match(followed.stderr, new RegExp(`job ${id} cancelled: cancelled by the user`));
  const again = await runTitan(['job', 'cancel', id], home);
  assert.match(again.stderr, /^TITAN_E_JOB_STATE: /);
  const running = await runTitan(['job', 'export', id, path.join(home, 'x.tar')], home);
  assert.equal(running.code, 0, 'an ended job exports, even cancelled');

  const oom = await runTitan(['job', 'submit', '--memory', '32', '-f', '--', 'dd if=/dev/zero of=/dev/null bs=256M count=1'], home);
  assert.equal(oom.code, 1);
  assert.match(oom.stderr, /failed: TITAN_E_JOB_OOM: killed by its memory limit of 32 MB/);
  // --agent runs the configured coding-agent CLI (absent from the stock image: exit 127, said so).
  const agent = await runTitan(['job', 'submit', '--agent', 'fix the tests', '-f'], home);
  assert.equal(agent.code, 1);
  assert.match(agent.stderr, /failed: TITAN_E_JOB_EXIT: the command exited with code 127/);
  const bad = await runTitan(['job', 'submit', '--memory', 'lots', '--', 'true'], home);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /TITAN_E_USAGE: --memory takes a number/);
});
