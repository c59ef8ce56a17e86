// A kernel with the built-in components and the deterministic test tools (weather, notes,
// quote), an agent on a scripted model, and the reflex service: what the reflex suites share.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { Agent } from '../../agent/loop/agent.ts';
import type { TurnEvent } from '../../agent/loop/turn-events.ts';
import { bootstrapBuiltins, Kernel } from '../../kernel/api.ts';
import { ReflexService } from '../../agent/reflex/service.ts';
import { reflexesSection, shadowSection, type ReflexesConfig, type ShadowConfig } from '../../agent/reflex/config.ts';
import type { ReflexSpec } from '../../components/reflexes/runtime.js';
import type { ReflexRecord } from '../../agent/reflex/records.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { deployFixture } from '../support/fixtures.ts';
import { scriptedModel, toolCall, type Step } from '../support/model-double.ts';
import { rightAnswer, type Intent } from './support.ts';

export const TOOL_FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export type Harness = {
  kernel: Kernel;
  agent: Agent;
  reflexes: ReflexService;
  model: ReturnType<typeof scriptedModel>;
  steps: Step[];
  events: TurnEvent[];
  home: string;
  /** Sends and waits; the turn's events and outcome. */
  ask(threadId: string, text: string, options?: { modelOnly?: boolean }): Promise<{ turnId: string; text: string; events: TurnEvent[]; state: string }>;
};

export type HarnessConfig = { reflexes?: Partial<ReflexesConfig>; shadow?: Partial<ShadowConfig> };

export async function reflexHarness(
  t: TestContext,
  config: HarnessConfig = {},
  options: { withLlm?: boolean; generate?: (spec: ReflexSpec) => Promise<string>; backgroundModel?: boolean } = {},
): Promise<Harness> {
  const { home, cleanup } = await tempHome('titan-reflex-');
  const kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  const reflexConfig = {
    reflexes: { ...reflexesSection.defaults, checkRate: 0, probes: 0, ...config.reflexes },
    shadow: { ...shadowSection.defaults, enabled: false, ...config.shadow },
  };
  const report = await bootstrapBuiltins(kernel);
  if (report.failed.length) throw new Error(`built-ins failed: ${JSON.stringify(report.failed)}`);
  for (const tool of ['weather', 'notes', 'quote']) await deployFixture(kernel, path.join(TOOL_FIXTURES, tool));
  const steps: Step[] = [];
  const model = scriptedModel(steps);
  const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: model });
  await agent.start();
  const reflexes = new ReflexService(kernel, {
    llm: options.withLlm === false ? undefined : model,
    tools: agent.tools,
    mineDelayMs: 60_000,
    generate: options.generate,
    config: reflexConfig,
    backgroundModel: options.backgroundModel ?? true,
  });
  await reflexes.start();
  agent.useReflexes(reflexes);
  const events: TurnEvent[] = [];
  kernel.bus.on('turn.event', (e) => events.push(e));
  t.after(async () => {
    await reflexes.close();
    await agent.close();
    await kernel.close();
    await cleanup();
  });
  return {
    kernel,
    agent,
    reflexes,
    model,
    steps,
    events,
    home,
    async ask(threadId, text, sendOptions) {
      const { run, turnId } = await agent.send('ada', threadId, text, sendOptions);
      const outcome = await run.done;
      return { turnId, text: outcome.text, state: outcome.state, events: events.filter((e) => e.turnId === turnId) };
    },
  };
}

/** The model's two steps for one intent turn: the tool call, then the answer from its result. */
/** Sends the weather intent's training phrasings through the model (a different city each) and mines. */
export async function learnWeather(h: Harness, threadId: string, intent: Intent): Promise<string[]> {
  const cities = ['Paris', 'Berlin', 'Rome', 'Madrid'];
  const turns: string[] = [];
  for (const [i, phrasing] of intent.train.entries()) {
    h.steps.push(...modelTurn(intent, cities[i % cities.length]));
    turns.push((await h.ask(threadId, phrasing.replace('{city}', cities[i % cities.length]))).turnId);
  }
  await h.reflexes.mine();
  return turns;
}

export function modelTurn(intent: Intent, value: string): Step[] {
  const { args, answer } = rightAnswer(intent, value);
  return [
    [...toolCall(0, `call_${Math.random().toString(36).slice(2, 8)}`, intent.tool, args), { type: 'stop', reason: 'tool_use' }],
    [
      { type: 'text', text: answer },
      { type: 'stop', reason: 'end_turn' },
    ],
  ];
}

/** A harness that has learned the weather reflex until it serves, then stopped (its home kept for a restart). */
export async function learnedWeatherThenStopped(t: TestContext, intent: Intent): Promise<{ home: string; record: ReflexRecord }> {
  const h = await reflexHarness(t);
  await learnWeather(h, (await h.agent.createThread('ada')).id, intent);
  const [record] = h.reflexes.list();
  assert.equal(record.state, 'serving', record.reason ?? '');
  await h.reflexes.close();
  await h.agent.close();
  await h.kernel.close();
  return { home: h.home, record };
}
