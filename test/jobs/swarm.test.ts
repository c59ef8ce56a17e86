// Parallel swarms on the real Docker engine, planned by the scripted model: the parts run at once as
// agent jobs, each on its own branch of a real git repository; their changes are merged back, a real
// conflict is reported with its file (the other part still merges), and the results fan in to one
// answer. Bad input is a coded error, and a plan the model botches fails the swarm with its reason.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { SwarmService } from '../../agent/jobs/swarm.ts';
import { createLlm } from '../../agent/llm/llm.ts';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/llm/scripted/server.ts';
import type { Script } from '../../agent/llm/scripted/script.ts';
import { rejectsWithCode } from '../support/fixtures.ts';
import { NO_DOCKER, jobKernel, type JobKernel } from './support.ts';

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' }).trim();

async function repository(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-swarm-repo-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  git(dir, 'init', '--quiet', '--initial-branch=main');
  await writeFile(path.join(dir, 'a.txt'), 'a\n');
  await writeFile(path.join(dir, 'b.txt'), 'b\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '--quiet', '-m', 'start');
  return dir;
}

async function swarmKernel(t: TestContext, script: Script): Promise<JobKernel & { llm: ScriptedLlm; swarms: SwarmService }> {
  const handle = await jobKernel(t);
  const llm = await startScriptedLlm({ script });
  t.after(() => llm.close());
  const client = createLlm(handle.kernel, {
    providers: [{ name: 'openai', component: 'openai', baseUrl: llm.baseUrls.openai, model: 'gpt-test', apiKeyEnv: 'SWARM_KEY' }],
    env: { SWARM_KEY: 'sk-swarm' },
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  handle.jobs.useModel((request, options) => client.stream(request, options));
  return { ...handle, llm, swarms: new SwarmService(handle.jobs, handle.kernel.paths.home) };
}

const plan = (parts: Array<{ title: string; prompt: string }>) => ({
  match: { lastUserContains: 'TASK:' },
  content: [{ type: 'text' as const, text: JSON.stringify({ parts }) }],
});
const write = (cue: string, file: string, content: string) => ({
  match: { lastUserContains: cue },
  content: [{ type: 'tool_call' as const, name: 'write_file', arguments: { path: file, content } }],
});
const finish = (cue: string, text: string) => ({ match: { lastMessageContains: cue }, content: [{ type: 'text' as const, text }] });

test('a swarm runs its parts at once on branches, merges them back and fans in one answer', { skip: NO_DOCKER, timeout: 240_000 }, async (t) => {
  const repo = await repository(t);
  const { swarms, jobs, llm } = await swarmKernel(t, {
    name: 'swarm',
    turns: [
      plan([
        { title: 'edit a', prompt: 'PART-ONE: put alpha in a.txt' },
        { title: 'edit b', prompt: 'PART-TWO: put beta in b.txt' },
      ]),
      write('PART-ONE', 'a.txt', 'alpha\n'),
      write('PART-TWO', 'b.txt', 'beta\n'),
      finish('characters to a.txt', 'a.txt now says alpha'),
      finish('characters to b.txt', 'b.txt now says beta'),
      { match: { lastUserContains: 'Merge:' }, content: [{ type: 'text', text: 'Both files are updated: a.txt says alpha, b.txt says beta.' }] },
    ],
  });
  const started = await swarms.start('owner', { task: 'TASK: update both files', workspace: repo, parts: 2 });
  assert.equal(started.state, 'planning');
  const swarm = await swarms.wait(started.id);
  assert.equal(swarm.state, 'succeeded', String(swarm.reason));
  assert.equal(swarm.answer, 'Both files are updated: a.txt says alpha, b.txt says beta.');
  assert.deepEqual(
    swarm.parts.map((p) => [p.title, p.state, p.merged, p.answer]),
    [
      ['edit a', 'succeeded', true, 'a.txt now says alpha'],
      ['edit b', 'succeeded', true, 'b.txt now says beta'],
    ],
  );
  // Merged back into the workspace, on the branch the user had, with a branch per part kept.
  assert.equal(await readFile(path.join(repo, 'a.txt'), 'utf8'), 'alpha\n');
  assert.equal(await readFile(path.join(repo, 'b.txt'), 'utf8'), 'beta\n');
  assert.equal(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD'), 'main');
  assert.equal(git(repo, 'status', '--porcelain'), '');
  assert.match(git(repo, 'branch', '--list', `titan/${swarm.id}/*`), /part-1[\s\S]*part-2/);
  // The parts ran at once: each started before the other ended.
  const [one, two] = await Promise.all(swarm.parts.map((p) => jobs.get(p.jobId as string)));
  assert.ok((one.startedAt ?? 0) < (two.finishedAt ?? 0) && (two.startedAt ?? 0) < (one.finishedAt ?? 0), 'the parts overlapped in time');
  assert.deepEqual(one.spec.group, { id: swarm.id, part: 1, of: 2, title: 'edit a' });
  assert.equal(llm.timeline().filter((e) => e.route === 'openai').length, 6, 'plan, two steps per part, fan-in');
  assert.deepEqual(
    (await swarms.list('owner')).map((s) => s.id),
    [swarm.id],
  );
});

test('parts that change the same lines: the conflict is reported with its file, the other part merged', { skip: NO_DOCKER, timeout: 240_000 }, async (t) => {
  const repo = await repository(t);
  const { swarms } = await swarmKernel(t, {
    name: 'swarm-conflict',
    turns: [
      plan([
        { title: 'alpha', prompt: 'PART-ONE: put alpha in a.txt' },
        { title: 'beta', prompt: 'PART-TWO: put beta in a.txt' },
      ]),
      write('PART-ONE', 'a.txt', 'alpha\n'),
      write('PART-TWO', 'a.txt', 'beta\n'),
      finish('wrote 6 characters', 'alpha written'),
      finish('wrote 5 characters', 'beta written'),
      { match: { lastUserContains: 'conflict' }, content: [{ type: 'text', text: 'Part 2 conflicts with part 1 in a.txt: resolve it by hand.' }] },
    ],
  });
  const swarm = await swarms.wait((await swarms.start('owner', { task: 'TASK: write a.txt twice', workspace: repo, parts: 2 })).id);
  assert.equal(swarm.state, 'conflicts');
  assert.match(String(swarm.reason), new RegExp(`^TITAN_E_SWARM_CONFLICT: part 2 \\(titan/${swarm.id}/part-2\\) conflicts in a.txt$`));
  assert.deepEqual(
    swarm.parts.map((p) => [p.merged, p.conflicts]),
    [
      [true, []],
      [false, ['a.txt']],
    ],
  );
  assert.equal(swarm.answer, 'Part 2 conflicts with part 1 in a.txt: resolve it by hand.');
  assert.equal(await readFile(path.join(repo, 'a.txt'), 'utf8'), 'alpha\n', 'the part that merged is in the workspace');
  assert.equal(git(repo, 'show', `titan/${swarm.id}/part-2:a.txt`), 'beta', "the conflicting part's branch is kept for the user");
  assert.equal(git(repo, 'status', '--porcelain'), '', 'no merge left half-done in the workspace');
});

test('swarm bad input is a coded error; a plan the model botches fails the swarm with no job run', { skip: NO_DOCKER, timeout: 120_000 }, async (t) => {
  const repo = await repository(t);
  const { swarms, jobs } = await swarmKernel(t, {
    name: 'bad-plan',
    turns: [{ match: { lastUserContains: 'TASK:' }, content: [{ type: 'text', text: 'Sure! I will do it all.' }] }],
  });
  const plain = await mkdtemp(path.join(os.tmpdir(), 'titan-swarm-plain-'));
  t.after(() => rm(plain, { recursive: true, force: true }));
  await rejectsWithCode(swarms.start('owner', { task: 'TASK: x', workspace: plain }), 'TITAN_E_SWARM_INVALID');
  await rejectsWithCode(swarms.start('owner', { task: '', workspace: repo }), 'TITAN_E_SWARM_INVALID');
  await rejectsWithCode(swarms.start('owner', { task: 'TASK: x', workspace: repo, parts: 99 }), 'TITAN_E_SWARM_INVALID');
  await writeFile(path.join(repo, 'a.txt'), 'edited by the user\n');
  await rejectsWithCode(swarms.start('owner', { task: 'TASK: x', workspace: repo }), 'TITAN_E_SWARM_INVALID');
  git(repo, 'checkout', '--quiet', '--', 'a.txt');
  const swarm = await swarms.wait((await swarms.start('owner', { task: 'TASK: x', workspace: repo })).id);
  assert.equal(swarm.state, 'failed');
  assert.match(String(swarm.reason), /^TITAN_E_SWARM_PLAN: the plan is not JSON/);
  assert.deepEqual(await jobs.list('owner'), []);
  await rejectsWithCode(swarms.get('swarm_000000000000', 'owner'), 'TITAN_E_NOT_FOUND');
});
