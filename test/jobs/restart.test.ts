// Jobs survive Titan: a Titan killed with SIGKILL while its jobs run leaves their rows running and
// their containers to the engine; the next start follows a container that still runs to its end
// (its whole log read again), records the ending of one that finished meanwhile, and ends as lost a
// job whose container is gone. No job is dropped.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLlm, jobsSection, startScriptedLlm } from '../../agent/api.ts';
import { JobService } from '../../agent/services.ts';
import { Engine } from '../../agent/jobs/engine.ts';
import { openKernelOn, openStoreKernel } from '../support/store.ts';
import { NO_DOCKER, SOCKET, removeContainersOf } from './support.ts';

const CHILD = fileURLToPath(new URL('./fixtures/titan-with-jobs.ts', import.meta.url));

test('jobs running when Titan is SIGKILLed are reconciled by the next start', { skip: NO_DOCKER, timeout: 180_000 }, async (t) => {
  const store = await openStoreKernel('libsql');
  const { home, url } = store;
  t.after(async () => {
    await removeContainersOf(home);
    await store.cleanup();
  });
  await new Engine(SOCKET).ensureImage(jobsSection.defaults.image, true);
  await store.kernel.close();

  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CHILD, home, url, SOCKET], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ids = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const submit = async (request: object) => {
    child.stdin.write(`${JSON.stringify(request)}\n`);
    return (await ids.next()).value as string;
  };
  // Each job waits for its cue (a file the test writes into its workspace), so on a slow machine
  // none ends before the kill: the first still runs when the next Titan starts, the second ends while none runs.
  const cued = async (cue: string) => {
    const folder = await mkdtemp(path.join(home, 'workspace-'));
    await chmod(folder, 0o777); // whatever user the container runs as may read the cue and write there
    const command = `while [ ! -f /workspace/${cue} ]; do sleep 0.1; done`;
    return { folder, command };
  };
  const follow = await cued('go');
  const survivor = await submit({ command: `echo one; ${follow.command}; echo two; echo done > out.txt`, workspace: follow.folder });
  const meanwhile = await cued('end');
  const endsMeanwhile = await submit({ command: `echo short; ${meanwhile.command}; exit 3`, workspace: meanwhile.folder });
  // Its container is removed while Titan is down.
  const removed = await submit({ command: 'echo long; sleep 60' });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const docker = (...args: string[]) =>
    execFileSync('docker', ['-H', `unix://${SOCKET}`, ...args], { stdio: 'pipe' })
      .toString()
      .trim();
  docker('rm', '-f', `titan-job-${removed}`);
  await writeFile(path.join(meanwhile.folder, 'end'), '');
  while (docker('inspect', '-f', '{{.State.Running}}', `titan-job-${endsMeanwhile}`) === 'true') await new Promise((resolve) => setTimeout(resolve, 100));

  store.kernel = await openKernelOn(home, url);
  await store.kernel.restoreDeployments();
  const before = await store.kernel.store.op('jobs.list', { states: ['running'] });
  assert.deepEqual(before.map((r) => r.id).sort(), [survivor, endsMeanwhile, removed].sort(), 'the dead Titan left all three running');

  const jobs = await JobService.start(store.kernel, { ...jobsSection.defaults, dockerSocket: SOCKET });
  await writeFile(path.join(follow.folder, 'go'), '');
  const done = await jobs.waitFor(survivor);
  assert.equal(done.state, 'succeeded', String(done.reason));
  const log = [];
  for await (const chunk of jobs.logs(survivor)) log.push(chunk.text);
  assert.equal(log.join(''), 'one\ntwo\n', 'the whole log, read again from the engine');
  assert.equal(await readFile(path.join(done.spec.workspace, 'out.txt'), 'utf8'), 'done\n');

  const ended = await jobs.waitFor(endsMeanwhile);
  assert.equal(ended.state, 'failed');
  assert.equal(ended.exitCode, 3);
  assert.match(String(ended.reason), /^TITAN_E_JOB_EXIT: /);

  const lost = await jobs.get(removed);
  assert.equal(lost.state, 'failed');
  assert.match(String(lost.reason), /^TITAN_E_JOB_LOST: /);
  assert.equal((await jobs.list('owner')).length, 3, 'no job dropped');
});

test('an agent job outlives a SIGKILLed Titan: its worker waits for the socket and completes with the next Titan', {
  skip: NO_DOCKER,
  timeout: 180_000,
}, async (t) => {
  const store = await openStoreKernel('libsql');
  const { home, url } = store;
  const llm = await startScriptedLlm({
    script: {
      name: 'agent-restart',
      turns: [
        {
          match: { lastUserContains: 'slow work' },
          content: [{ type: 'tool_call', name: 'shell', arguments: { command: 'sleep 4; echo done > slow.txt; echo slept' } }],
        },
        { match: { lastMessageContains: 'slept' }, content: [{ type: 'text', text: 'the slow work is done' }] },
      ],
    },
  });
  t.after(async () => {
    await llm.close();
    await removeContainersOf(home);
    await store.cleanup();
  });
  await new Engine(SOCKET).ensureImage(jobsSection.defaults.agentImage, true, ['--c-runtime']);
  await store.kernel.close();
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CHILD, home, url, SOCKET, llm.baseUrls.openai], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ids = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  child.stdin.write(`${JSON.stringify({ command: '', mode: 'agent', prompt: 'do the slow work' })}\n`);
  const id = (await ids.next()).value as string;
  // Killed once the worker has the model's first answer: it is running its 4-second tool call.
  const logFile = path.join(home, 'jobs', id, 'log.jsonl');
  while (!(await readFile(logFile, 'utf8').catch(() => '')).includes('step 1: shell')) await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));

  store.kernel = await openKernelOn(home, url);
  await store.kernel.restoreDeployments();
  const jobs = await JobService.start(store.kernel, { ...jobsSection.defaults, dockerSocket: SOCKET });
  const client = createLlm(store.kernel, { providers: [{ name: 'openai', component: 'openai', baseUrl: llm.baseUrls.openai, model: 'm' }], env: {} });
  jobs.useModel((request, options) => client.stream(request, options));
  const done = await jobs.waitFor(id);
  const log = [];
  for await (const chunk of jobs.logs(id)) log.push(chunk.text);
  assert.equal(done.state, 'succeeded', `${done.reason}\n${log.join('')}`);
  assert.equal(await jobs.answer(id), 'the slow work is done');
  assert.equal(await readFile(path.join(done.spec.workspace, 'slow.txt'), 'utf8'), 'done\n');
  assert.equal(llm.timeline().filter((e) => e.route === 'openai').length, 2, 'the tool ran once, the model was asked twice');
});
