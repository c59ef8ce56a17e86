// What the reflex benchmarks share: a model that knows every prompt of the run (an oracle), the
// plans it answers from, and a kernel in a fresh home with the test tools weather, notes and quote.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LlmEvent } from '../agent/loop/llm-types.ts';
import type { LlmStream } from '../agent/loop/turn.ts';
import { bootstrapBuiltins, Kernel, publishComponent, type KernelConfig } from '../kernel/api.ts';
import { reflexesSection, shadowSection, type ReflexConfigs, type ReflexesConfig } from '../agent/api.ts';
import { buildComponent } from '../toolchain/build.ts';
import { fill, rightAnswer, type Intent } from '../test/reflex/support.ts';
import { BENCH_CACHE } from './setup.ts';

const TOOLS = fileURLToPath(new URL('../test/reflex/fixtures/', import.meta.url));
export const TEST_TOOLS = ['weather', 'notes', 'quote'];

/** What the model does with a prompt: call the intent's tool, then answer from its result; or just answer. */
export type Plan = { intent?: Intent; value?: string; answer: string };

export const plans = new Map<string, Plan>();

/** The prompt of an intent's phrasing with a value, known to the model from now on. */
export function planFor(intent: Intent, phrasing: string, value: string): string {
  const prompt = fill(phrasing, { [intent.slot]: value });
  plans.set(prompt, { intent, value, answer: rightAnswer(intent, value).answer });
  return prompt;
}

/** A model that knows every prompt of the run (an oracle): the right tool call and answer, after a delay. */
export function oracleModel(latencyMs: () => number, counter: { calls: number }): LlmStream {
  return async function* (request, { signal }) {
    counter.calls++;
    const last = request.messages.at(-1)!;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    if (last.role === 'tool') {
      const prompt = [...request.messages].reverse().find((m) => m.role === 'user')!.content;
      yield { type: 'text', text: plans.get(prompt)?.answer ?? 'I do not know.' } satisfies LlmEvent;
      yield { type: 'stop', reason: 'end_turn' };
      return;
    }
    await sleep(latencyMs());
    if (signal.aborted) throw signal.reason;
    const plan = plans.get(last.content);
    if (plan?.intent && plan.value) {
      const { args } = rightAnswer(plan.intent, plan.value);
      yield { type: 'tool_call', index: 0, id: `call_${Math.random().toString(36).slice(2)}`, name: plan.intent.tool, arguments_delta: JSON.stringify(args) };
      yield { type: 'stop', reason: 'tool_use' };
      return;
    }
    yield { type: 'text', text: plan?.answer ?? 'I do not know.' };
    yield { type: 'stop', reason: 'end_turn' };
  };
}

/** A kernel in a fresh home serving the built-ins and the test tools (isolated as any tool not shipped with Titan). */
export async function openKernel(reflexes: Partial<ReflexesConfig>, kernelConfig?: Partial<KernelConfig>) {
  const home = await mkdtemp(path.join(os.tmpdir(), 'titan-bench-reflex-'));
  const kernel = await Kernel.open({ home, cacheDir: BENCH_CACHE, logToFile: false, env: {}, config: kernelConfig });
  const config: ReflexConfigs = { reflexes: { ...reflexesSection.defaults, ...reflexes }, shadow: { ...shadowSection.defaults, enabled: false } };
  const report = await bootstrapBuiltins(kernel);
  if (report.failed.length) throw new Error(JSON.stringify(report.failed));
  for (const tool of TEST_TOOLS) {
    await kernel.deployManifest(await publishComponent(kernel, await buildComponent(path.join(TOOLS, tool), { cacheDir: BENCH_CACHE })));
  }
  return {
    kernel,
    home,
    config,
    close: async () => {
      await kernel.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
