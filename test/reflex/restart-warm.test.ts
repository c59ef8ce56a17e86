// After a restart, the tools a serving reflex calls are warm in their worker threads before its
// first request (made right after start, from modules the kernel compiled once), so its first
// answer pays neither a thread's start nor a compile.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Agent } from '../../agent/loop/agent.ts';
import { ReflexService } from '../../agent/reflex/service.ts';
import { bootstrapBuiltins, Kernel } from '../../kernel/api.ts';
import { compiles, type CompileNotice } from '../../kernel/compile-cores.ts';
import { workerCalls, type WorkerCallTiming } from '../../kernel/worker-timings.ts';
import { TEST_CACHE } from '../support/kernel.ts';
import { scriptedModel } from '../support/model-double.ts';
import { learnedWeatherThenStopped } from './harness.ts';
import { INTENTS, rightAnswer } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

test('after a restart the tool a serving reflex calls is instantiated in its worker threads before the first request, compiled once', async (t) => {
  const { home } = await learnedWeatherThenStopped(t, weather);

  const compiled: string[] = [];
  const calls: WorkerCallTiming[] = [];
  const onCompile = (message: unknown) => {
    const notice = message as CompileNotice;
    if (notice.who.startsWith('tool/weather@')) compiled.push(notice.where);
  };
  const onCall = (message: unknown) => {
    const call = message as WorkerCallTiming;
    if (call.slot === 'tool/weather') calls.push(call);
  };
  compiles.subscribe(onCompile);
  workerCalls.subscribe(onCall);
  t.after(() => {
    compiles.unsubscribe(onCompile);
    workerCalls.unsubscribe(onCall);
  });
  const kernel = await Kernel.open({ home: home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  t.after(() => kernel.close());
  await bootstrapBuiltins(kernel);
  await kernel.restoreDeployments();
  const tool = () => kernel.slot('tool', 'weather').active;
  assert.equal(tool()?.isolation, 'worker');
  assert.equal(tool()?.stats().created, 0, 'restored without loading it');
  const model = scriptedModel([]);
  const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: model });
  await agent.start();
  t.after(() => agent.close());
  const service = new ReflexService(kernel, { tools: agent.tools, mineDelayMs: 3_600_000 });
  t.after(() => service.close());
  await service.start();
  agent.useReflexes(service);
  // No request yet: the service warms its serving reflex's tool in the background after it starts.
  for (let i = 0; i < 500 && !(calls.length > 0 && tool()?.stats().busy === 0); i++) await new Promise((r) => setTimeout(r, 20));
  const made = calls.filter((c) => c.made);
  assert.ok(made.length >= 1, 'an instance made in its worker thread before any request');
  assert.deepEqual(compiled, ['kernel'], 'compiled once, in the kernel, for every thread');

  const before = calls.length;
  const thread = (await agent.createThread('ada')).id;
  const { run } = await agent.send('ada', thread, 'weather in Vienna');
  const outcome = await run.done;
  assert.equal(outcome.text, rightAnswer(weather, 'Vienna').answer);
  assert.equal(model.requests.length, 0, 'answered by the reflex');
  const asked = calls.slice(before).filter((c) => c.fn === 'invoke');
  assert.equal(asked.length, 1);
  assert.equal(asked[0].made, undefined, 'the first answer found its tool instantiated');
  assert.deepEqual(compiled, ['kernel'], 'nothing compiled again');
});
