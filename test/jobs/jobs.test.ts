// Sandbox jobs on the real Docker engine: a job's output streams live and is kept, its limits end
// it with a coded reason (memory, time), it can be cancelled, a missing image is built on demand,
// and a dead engine is a coded error that leaves no job behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { JobEvent } from '../../agent/api.ts';
import { jobsSection } from '../../agent/api.ts';
import { JobService } from '../../agent/services.ts';
import type { Kernel } from '../../kernel/api.ts';
import { rejectsWithCode } from '../support/fixtures.ts';
import { openStoreKernel } from '../support/store.ts';
import { NO_DOCKER, SOCKET, jobKernel } from './support.ts';

function eventsOf(kernel: Kernel, id: () => string) {
  const events: Array<JobEvent & { t: number }> = [];
  kernel.bus.on('job.event', (event) => {
    if (event.jobId === id()) events.push({ ...event, t: performance.now() });
  });
  return events;
}

test('a job runs in the sandbox: its output streams while it runs, is kept, and it succeeds', { skip: NO_DOCKER }, async (t) => {
  const { kernel, jobs } = await jobKernel(t);
  await jobs.engine.ensureImage(jobs.config.image, true); // CI builds it first; the timing below is the job's
  let id = '';
  const events = eventsOf(kernel, () => id);
  const started = performance.now();
  const job = await jobs.submit('owner', { command: 'echo first; sleep 1; echo second >&2; echo made > result.txt' });
  id = job.id;
  assert.equal(job.state, 'queued');
  const ended = await jobs.waitFor(job.id);
  assert.equal(ended.state, 'succeeded', String(ended.reason));
  assert.equal(ended.exitCode, 0);

  const logs = events.filter((e) => e.type === 'log');
  assert.deepEqual(
    logs.map((e) => e.type === 'log' && [e.stream, e.text]),
    [
      ['stdout', 'first\n'],
      ['stderr', 'second\n'],
    ],
  );
  // The first line arrives while the job still sleeps, well before it ends.
  const end = events.find((e) => e.type === 'state' && e.state === 'succeeded');
  assert.ok(end && end.t - logs[0].t > 700, 'the first line came a second before the end');
  assert.ok(logs[0].t - started < 5000);
  assert.deepEqual(
    events.filter((e) => e.type === 'state').map((e) => e.type === 'state' && e.state),
    ['running', 'succeeded'],
  );

  // Kept: the log replays after the end, and the workspace holds what the job wrote.
  const kept = [];
  for await (const chunk of jobs.logs(job.id)) kept.push(chunk.text);
  assert.equal(kept.join(''), 'first\nsecond\n');
  assert.equal(await readFile(path.join(ended.spec.workspace, 'result.txt'), 'utf8'), 'made\n');
  assert.deepEqual(
    (await jobs.list('owner')).map((j) => j.id),
    [job.id],
  );
  await rejectsWithCode(jobs.get(job.id, 'someone-else'), 'TITAN_E_NOT_FOUND');
});

test('the sandbox has no network, a read-only root, and a read-only workspace when the policy says so', { skip: NO_DOCKER }, async (t) => {
  const { jobs } = await jobKernel(t);
  const net = await jobs.run('owner', { command: 'ip link 2>/dev/null | grep -c "state UP" || true; ls /sys/class/net' });
  const netLog = [];
  for await (const chunk of jobs.logs(net.id)) netLog.push(chunk.text);
  assert.match(netLog.join(''), /^0\nlo\n$/, 'only the loopback interface');

  const root = await jobs.run('owner', { command: 'touch /etc/x' });
  assert.equal(root.state, 'failed');
  assert.match(String(root.reason), /^TITAN_E_JOB_EXIT: /);

  const write = await jobs.run('owner', { command: 'echo hi > kept.txt' });
  const readOnly = await jobs.run('owner', { command: 'cat kept.txt && echo no > other.txt', workspace: write.spec.workspace, policy: 'read-only' });
  assert.equal(readOnly.state, 'failed');
  const log = [];
  for await (const chunk of jobs.logs(readOnly.id)) log.push(chunk.text);
  assert.match(log.join(''), /^hi$/m, 'it read the workspace');
  assert.match(log.join(''), /can't create other\.txt: Read-only file system/, 'and could not write it');
});

test('a job past its memory limit fails with TITAN_E_JOB_OOM', { skip: NO_DOCKER }, async (t) => {
  const { jobs } = await jobKernel(t);
  const job = await jobs.run('owner', { command: 'dd if=/dev/zero of=/dev/null bs=256M count=1', memoryMb: 32 });
  assert.equal(job.state, 'failed');
  assert.match(String(job.reason), /^TITAN_E_JOB_OOM: killed by its memory limit of 32 MB/);
  assert.equal(job.exitCode, 137);
});

test('a job past its time limit ends timed_out, its container killed', { skip: NO_DOCKER }, async (t) => {
  const { jobs } = await jobKernel(t);
  const started = Date.now();
  const job = await jobs.run('owner', { command: 'echo start; sleep 60', timeoutS: 1 });
  assert.equal(job.state, 'timed_out');
  assert.match(String(job.reason), /^TITAN_E_JOB_TIMEOUT: it ran past its time limit of 1 s/);
  assert.ok(Date.now() - started < 10_000, 'stopped at its limit, not at the end of its sleep');
});

test('cancel ends a running job and a queued one; a finished job cannot be cancelled', { skip: NO_DOCKER }, async (t) => {
  const { jobs, kernel } = await jobKernel(t, { maxConcurrent: 1 });
  const running = await jobs.submit('owner', { command: 'echo up; sleep 60' });
  const queued = await jobs.submit('owner', { command: 'echo never' });
  await kernel.bus.once('job.event', (e) => e.jobId === running.id && e.type === 'log');
  const cancelledQueued = await jobs.cancel(queued.id, 'owner');
  assert.equal(cancelledQueued.state, 'cancelled');
  const cancelled = await jobs.cancel(running.id, 'owner');
  assert.equal(cancelled.state, 'cancelled');
  assert.equal(cancelled.reason, 'cancelled by the user');
  await rejectsWithCode(jobs.cancel(running.id, 'owner'), 'TITAN_E_JOB_STATE');
  const kept = [];
  for await (const chunk of jobs.logs(queued.id)) kept.push(chunk.text);
  assert.deepEqual(kept, [], 'the queued job never ran');
});

test('a missing image is built from Debian packages and imported before the job runs', { skip: NO_DOCKER }, async (t) => {
  const image = `titan-sandbox:test-${process.pid}-${Date.now()}`;
  t.after(() => execFileSync('docker', ['-H', `unix://${SOCKET}`, 'rmi', '-f', image], { stdio: 'pipe' }));
  const { jobs } = await jobKernel(t, { image });
  assert.equal(await jobs.engine.hasImage(image), false);
  const job = await jobs.run('owner', { command: 'echo built' });
  assert.equal(job.state, 'succeeded', String(job.reason));
  assert.equal(await jobs.engine.hasImage(image), true);

  const { jobs: refusing } = await jobKernel(t, { image: `${image}-absent`, buildImage: false });
  const refused = await refusing.run('owner', { command: 'echo never' });
  assert.equal(refused.state, 'failed');
  assert.match(String(refused.reason), /^TITAN_E_JOB_IMAGE_MISSING: /);
});

test('a dead engine is TITAN_E_DOCKER_UNAVAILABLE and no job is recorded', async (t) => {
  const store = await openStoreKernel('libsql');
  t.after(() => store.cleanup());
  const dead = path.join(store.home, 'no-docker.sock');
  await writeFile(dead, '');
  const jobs = await JobService.start(store.kernel, { ...jobsSection.defaults, dockerSocket: dead });
  const error = await rejectsWithCode(jobs.submit('owner', { command: 'echo hi' }), 'TITAN_E_DOCKER_UNAVAILABLE');
  assert.match(error.message, /no-docker\.sock/);
  assert.deepEqual(await jobs.list('owner'), []);
  await rejectsWithCode(jobs.submit('owner', { command: '' }), 'TITAN_E_JOB_INVALID');
  await rejectsWithCode(jobs.submit('owner', { command: 'x', memoryMb: 1 << 30 }), 'TITAN_E_JOB_INVALID');
});
