// The worker protocol's socket on its own (a real unix socket, real HTTP): only the job's own token
// opens it, a token of another job or a made-up one is refused with TITAN_E_JOB_TOKEN, bad bodies
// are coded errors that change nothing, and once the worker completed its token is refused for good.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { LlmEvent } from '../loop/llm-types.ts';
import { WorkerServer, jobToken } from './worker-server.ts';

type Reply = { status: number; body: { error?: { code: string; message: string } } & Record<string, unknown> };

function ask(socket: string, token: string, method: string, route: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path: route, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  });
}

test('a job token opens its own job only, and only until the worker completes', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-worker-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const key = randomBytes(32);
  const events: Array<Record<string, unknown>> = [];
  const answers: string[] = [];
  const failures: string[] = [];
  const requests: unknown[] = [];
  const server = await WorkerServer.open(path.join(dir, 'run'), {
    jobId: 'job_one',
    prompt: 'count the files',
    maxSteps: 2,
    loopRepeats: 3,
    modelName: 'm',
    key,
    completed: false,
    model: async function* (request): AsyncGenerator<LlmEvent> {
      requests.push(request);
      yield { type: 'text', text: 'There are ' };
      yield { type: 'text', text: 'two.' };
      yield { type: 'stop', reason: 'end_turn' };
    },
    onEvent: (event) => events.push(event),
    onFail: (reason) => failures.push(reason),
    onAnswer: async (answer) => void answers.push(answer),
  });
  t.after(() => server.close());
  const token = jobToken(key, 'job_one');

  for (const wrong of ['', 'made-up', jobToken(key, 'job_two'), jobToken(randomBytes(32), 'job_one')]) {
    const reply = await ask(server.socket, wrong, 'GET', '/job');
    assert.equal(reply.status, 401);
    assert.equal(reply.body.error?.code, 'TITAN_E_JOB_TOKEN');
  }
  assert.deepEqual((await ask(server.socket, token, 'GET', '/job')).body, { id: 'job_one', prompt: 'count the files', maxSteps: 2 });

  const bad = await ask(server.socket, token, 'POST', '/model', '{"messages": not json');
  assert.equal(bad.body.error?.code, 'TITAN_E_JOB_INVALID');
  assert.equal((await ask(server.socket, token, 'POST', '/model', { messages: [{ role: 'wizard', content: 'x' }] })).body.error?.code, 'TITAN_E_JOB_INVALID');
  assert.equal(requests.length, 0, 'a bad request never reaches the model');

  const answer = await ask(server.socket, token, 'POST', '/model', { messages: [{ role: 'user', content: 'count the files' }], tools: [] });
  assert.deepEqual(answer.body, { text: 'There are two.', toolCalls: [] });
  assert.deepEqual(requests, [{ model: 'm', messages: [{ role: 'user', content: 'count the files' }], tools: [] }]);
  assert.equal(events[0]?.type, 'model');

  assert.equal((await ask(server.socket, token, 'POST', '/complete', { answer: 'two files' })).status, 200);
  assert.deepEqual(answers, ['two files']);
  assert.ok(server.completed);
  const after = await ask(server.socket, token, 'GET', '/job');
  assert.equal(after.status, 401);
  assert.match(String(after.body.error?.message), /job_one has completed: its token is refused/);
  assert.equal((await ask(server.socket, token, 'POST', '/complete', { answer: 'again' })).status, 401);
  assert.deepEqual(answers, ['two files'], 'a second completion changed nothing');
  assert.deepEqual(failures, []);
  await server.close();
  assert.equal(existsSync(server.socket), false, 'the socket is gone with the job');
});

test('past its model calls the agent is stopped with TITAN_E_JOB_AGENT', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-worker-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const key = randomBytes(32);
  const failures: string[] = [];
  let calls = 0;
  const server = await WorkerServer.open(path.join(dir, 'run'), {
    jobId: 'job_steps',
    prompt: 'p',
    maxSteps: 1,
    loopRepeats: 3,
    modelName: '',
    key,
    completed: false,
    model: async function* (): AsyncGenerator<LlmEvent> {
      calls++;
      yield { type: 'tool_call', index: 0, id: `c${calls}`, name: 'shell', arguments_delta: `{"command":"step ${calls}"}` };
    },
    onEvent: () => {},
    onFail: (reason) => failures.push(reason),
    onAnswer: async () => {},
  });
  t.after(() => server.close());
  const token = jobToken(key, 'job_steps');
  const body = { messages: [{ role: 'user', content: 'p' }] };
  assert.equal((await ask(server.socket, token, 'POST', '/model', body)).status, 200);
  const over = await ask(server.socket, token, 'POST', '/model', body);
  assert.equal(over.body.error?.code, 'TITAN_E_JOB_AGENT');
  assert.equal(calls, 1, 'the call past the limit never reached the model');
  assert.match(failures[0] ?? '', /^TITAN_E_JOB_AGENT: the agent used its 1 model calls/);
});
