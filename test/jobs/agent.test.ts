// Agent jobs on the real Docker engine with the scripted model over its real wire format: the worker
// runs inside the container, gets every model answer through Titan (which holds the provider key:
// neither the container's environment nor its files have it), runs the tools on /workspace, reports
// its steps as job events, and completes with an answer; an agent repeating itself is ended.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { JobEvent } from '../../agent/api.ts';
import { createLlm } from '../../agent/llm/llm.ts';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/llm/scripted/server.ts';
import type { Script } from '../../agent/llm/scripted/script.ts';
import { rejectsWithCode } from '../support/fixtures.ts';
import { NO_DOCKER, jobKernel, type JobKernel } from './support.ts';

// The key in two halves: the command that searches the container for it must not carry it whole.
const HALVES = ['sk-agent-sec', 'ret-4c1b9e'] as const;
const SECRET = HALVES.join('');

/** A kernel with jobs whose model is the scripted server, its key in Titan's environment only. */
async function agentKernel(t: TestContext, script: Script, config = {}): Promise<JobKernel & { llm: ScriptedLlm }> {
  const handle = await jobKernel(t, config);
  const llm = await startScriptedLlm({ script });
  t.after(() => llm.close());
  const client = createLlm(handle.kernel, {
    providers: [{ name: 'openai', component: 'openai', baseUrl: llm.baseUrls.openai, model: 'gpt-test', apiKeyEnv: 'AGENT_KEY' }],
    env: { AGENT_KEY: SECRET },
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  handle.jobs.useModel((request, options) => client.stream(request, options));
  return { ...handle, llm };
}

function collect(handle: JobKernel): Map<string, JobEvent[]> {
  const byJob = new Map<string, JobEvent[]>();
  handle.kernel.bus.on('job.event', (event) => byJob.set(event.jobId, [...(byJob.get(event.jobId) ?? []), event]));
  return byJob;
}

test('an agent job works in its container through Titan: no key inside, steps streamed, an answer at the end', {
  skip: NO_DOCKER,
  timeout: 180_000,
}, async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-agent-job-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // Every regular file in the container (devices and the kernel's folders aside), searched for the key.
  const files = "find / -type f ! -path '/proc/*' ! -path '/sys/*' ! -path '/dev/*'";
  const look = `A=${HALVES[0]}; B=${HALVES[1]}; env; echo FILES-WITH-KEY; ${files} -exec grep -l "$A$B" {} + 2>/dev/null; echo END; ${files} | wc -l; echo hello > out.txt`;
  const handle = await agentKernel(t, {
    name: 'agent-job',
    turns: [
      { match: { lastUserContains: 'Write hello' }, content: [{ type: 'tool_call', name: 'shell', arguments: { command: look } }] },
      { match: { lastMessageContains: 'FILES-WITH-KEY' }, content: [{ type: 'text', text: 'Wrote hello to out.txt.' }] },
    ],
  });
  const events = collect(handle);
  const job = await handle.jobs.submit('owner', { command: '', mode: 'agent', prompt: 'Write hello into out.txt', workspace: dir });
  const ended = await handle.jobs.waitFor(job.id);
  assert.equal(ended.state, 'succeeded', String(ended.reason));
  assert.equal(await handle.jobs.answer(job.id), 'Wrote hello to out.txt.');
  assert.equal(await readFile(path.join(dir, 'out.txt'), 'utf8'), 'hello\n');

  // The model was asked twice, by Titan with the key; what the tool saw inside went back to it.
  const asked = handle.llm.timeline().filter((e) => e.route === 'openai');
  assert.equal(asked.length, 2);
  assert.ok(
    asked.every((e) => e.headers.authorization),
    'Titan sent the key to the provider',
  );
  const toolOutput = JSON.stringify(asked[1]?.body);
  assert.match(toolOutput, /TITAN_SOCKET=\/run\/titan\/worker.sock/, "the container's whole environment was read");
  assert.match(toolOutput, /FILES-WITH-KEY\\nEND\\n *[1-9]\d+\\n/, 'no file in the container holds the key (and there were files to search)');
  assert.ok(!toolOutput.includes(SECRET), 'the key is nowhere in the container');

  const agentEvents = (events.get(job.id) ?? []).flatMap((e) => (e.type === 'agent' ? [e.event] : []));
  assert.deepEqual(
    agentEvents.map((e) => e.type),
    ['model', 'tool', 'model', 'result'],
  );
  assert.equal(agentEvents[1]?.name, 'shell');
  assert.equal(agentEvents[3]?.answer, 'Wrote hello to out.txt.');
  const log = [];
  for await (const chunk of handle.jobs.logs(job.id)) log.push(chunk.text);
  assert.match(log.join(''), /titan worker: step 1: shell/);
  assert.match(log.join(''), /titan worker: done after 2 model calls/);
});

test('an agent repeating the same tool call is ended as failed with TITAN_E_JOB_LOOP', { skip: NO_DOCKER, timeout: 180_000 }, async (t) => {
  const handle = await agentKernel(
    t,
    { name: 'looping', turns: [{ repeat: true, content: [{ type: 'tool_call', name: 'shell', arguments: { command: 'ls' } }] }] },
    { agentLoopRepeats: 3 },
  );
  const job = await handle.jobs.submit('owner', { command: '', mode: 'agent', prompt: 'look around' });
  const ended = await handle.jobs.waitFor(job.id);
  assert.equal(ended.state, 'failed');
  assert.match(String(ended.reason), /^TITAN_E_JOB_LOOP: the agent gave the same answer 3 times in a row \(shell \{"command":"ls"\}\)/);
  assert.equal(handle.llm.timeline().filter((e) => e.route === 'openai').length, 3, 'no model call after the loop was seen');
  assert.equal(await handle.jobs.answer(job.id), undefined);
  assert.equal((await handle.jobs.list('owner')).length, 1, 'the job is kept');
});

test('agent jobs refuse bad input with coded errors and create no job', { skip: NO_DOCKER }, async (t) => {
  const handle = await jobKernel(t);
  await rejectsWithCode(handle.jobs.submit('owner', { command: '', mode: 'agent', prompt: 'x' }), 'TITAN_E_PROVIDER_NOT_CONFIGURED');
  handle.jobs.useModel(async function* () {});
  await rejectsWithCode(handle.jobs.submit('owner', { command: '', mode: 'agent' }), 'TITAN_E_JOB_INVALID');
  await rejectsWithCode(handle.jobs.submit('owner', { command: '', mode: 'agent', prompt: 'x', maxSteps: 0 }), 'TITAN_E_JOB_INVALID');
  await rejectsWithCode(handle.jobs.submit('owner', { command: '', mode: 'agent', prompt: 'x', env: { TITAN_JOB_TOKEN: 'mine' } }), 'TITAN_E_JOB_INVALID');
  assert.deepEqual(await handle.jobs.list('owner'), []);
});
