// The coding-agent bridge: a coding-agent job runs the configured CLI in the sandbox with the
// prompt and the model settings, and each JSON event it prints becomes a job event on Titan's bus,
// in order, while the rest of its output stays log. Tested with a fake CLI that speaks such a format.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { JobEvent } from '../../agent/api.ts';
import { rejectsWithCode } from '../support/fixtures.ts';
import { NO_DOCKER, jobKernel } from './support.ts';

// What an OpenCode- or Claude-Code-style CLI prints with JSON output: one event a line.
const FAKE_CLI = `#!/bin/sh
echo '{"type":"session.start","model":"'"$TITAN_MODEL"'","baseUrl":"'"$OPENAI_BASE_URL"'"}'
echo '{"type":"text","text":"Reading the task"}'
printf '%s\\n' "$1" > prompt.txt
echo '{"type":"tool_use","name":"write","input":{"path":"prompt.txt"}}'
echo 'a plain line of progress'
printf '{"type":"text",'; sleep 0.3; echo '"text":"split across writes"}'
echo '{"type":"result","ok":true}'
`;

test('a coding-agent job streams its CLI JSON events into Titan, with the prompt and model settings passed through', { skip: NO_DOCKER }, async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-agent-ws-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'fake-agent'), FAKE_CLI, { mode: 0o755 });
  const { kernel, jobs } = await jobKernel(t, { agentCommand: 'sh /workspace/fake-agent', agentModel: 'gpt-test', agentBaseUrl: 'http://127.0.0.1:9/v1' });
  const agentEvents: Array<Record<string, unknown>> = [];
  let id = '';
  kernel.bus.on('job.event', (event: JobEvent) => {
    if (event.jobId === id && event.type === 'agent') agentEvents.push(event.event);
  });
  const prompt = `fix the "failing" test; don't touch $HOME`;
  const job = await jobs.submit('owner', { command: '', mode: 'coding-agent', prompt, workspace: dir });
  id = job.id;
  const ended = await jobs.waitFor(job.id);
  assert.equal(ended.state, 'succeeded', String(ended.reason));
  assert.deepEqual(agentEvents, [
    { type: 'session.start', model: 'gpt-test', baseUrl: 'http://127.0.0.1:9/v1' },
    { type: 'text', text: 'Reading the task' },
    { type: 'tool_use', name: 'write', input: { path: 'prompt.txt' } },
    { type: 'text', text: 'split across writes' },
    { type: 'result', ok: true },
  ]);
  assert.equal(await readFile(path.join(dir, 'prompt.txt'), 'utf8'), `${prompt}\n`, 'the prompt arrived whole, never run as shell text');
  const log = [];
  for await (const chunk of jobs.logs(job.id)) log.push(chunk.text);
  assert.match(log.join(''), /a plain line of progress/);
  await rejectsWithCode(jobs.submit('owner', { command: '', mode: 'coding-agent' }), 'TITAN_E_JOB_INVALID');
});
