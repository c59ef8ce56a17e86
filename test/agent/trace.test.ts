// Record and replay: a live turn (model stream + tool results) saved as a trace replays to the
// same events with no model and no tool running.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Agent } from '../../agent/loop/agent.ts';
import { loadTrace, replay } from '../../agent/loop/trace.ts';
import type { TurnEvent } from '../../agent/loop/turn-events.ts';
import { bootstrapBuiltins, Kernel } from '../../kernel/api.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { scriptedModel, toolCall } from '../support/model-double.ts';

async function kernelIn(t: { after(fn: () => Promise<void>): void }) {
  const { home, cleanup } = await tempHome('titan-trace-');
  const kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  await bootstrapBuiltins(kernel);
  t.after(async () => {
    await kernel.close();
    await cleanup();
  });
  return { kernel, home };
}

const shape = (events: TurnEvent[]) =>
  events.map((e) => {
    const { threadId: _t, turnId: _u, at: _a, seq: _s, ...rest } = e as TurnEvent & Record<string, unknown>;
    if ('userMessageId' in rest) delete rest.userMessageId;
    return rest;
  });

test('a recorded turn replays to the same events without a model or a tool', async (t) => {
  const live = await kernelIn(t);
  const traceDir = path.join(live.home, 'traces');
  const model = scriptedModel([
    [{ type: 'text', text: 'Checking.' }, ...toolCall(0, 'c1', 'echo', { text: 'recorded' }), { type: 'stop', reason: 'tool_use' }],
    [
      { type: 'text', text: 'Echo said recorded.' },
      { type: 'usage', input_tokens: 9, output_tokens: 4 },
      { type: 'stop', reason: 'end_turn' },
    ],
  ]);
  const agent = new Agent(live.kernel, { workspace: path.join(live.home, 'workspace'), llm: model, traceDir });
  const liveEvents: TurnEvent[] = [];
  live.kernel.bus.on('turn.event', (e) => liveEvents.push(e));
  const thread = await agent.createThread('ada');
  const { run, turnId } = await agent.send('ada', thread.id, 'record me');
  assert.equal((await run.done).state, 'completed');
  const file = path.join(traceDir, `${turnId}.json`);
  for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
  await agent.close();
  const trace = await loadTrace(file);
  assert.equal(trace.steps.length, 2);
  assert.deepEqual(
    trace.tools.map((x) => [x.name, x.input, x.output]),
    [['echo', '{"text":"recorded"}', '{"text":"recorded"}']],
  );

  const again = await kernelIn(t);
  const replayed = replay(trace);
  const replayAgent = new Agent(again.kernel, { workspace: path.join(again.home, 'workspace'), llm: replayed.llm, invokeTool: replayed.tools });
  const replayEvents: TurnEvent[] = [];
  again.kernel.bus.on('turn.event', (e) => replayEvents.push(e));
  const replayThread = await replayAgent.createThread('ada');
  const second = await replayAgent.send('ada', replayThread.id, 'record me');
  assert.equal((await second.run.done).state, 'completed');
  await replayAgent.close();
  assert.deepEqual(shape(replayEvents), shape(liveEvents));
});
