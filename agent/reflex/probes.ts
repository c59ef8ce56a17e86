// Counterfactual probes, run in the background before a reflex serves: its own phrasings asked
// with slot values they were not seen with (another source turn's value, or one the tool's schema
// allows and no turn used), answered by the reflex with the tools as they are now and by the
// model on its own; any disagreement discards the reflex with the reason. A yes-or-no flag is
// probed turned (its cue taken away or swapped). A constant plan is probed with its own request
// again (the tools' answer of now, not the recorded one).
import type { ReflexSpec } from '../../components/reflexes/runtime.js';
import type { Deployment } from '../../kernel/deployment.ts';
import type { ToolInfo } from '../loop/tool-catalog.ts';
import type { LlmStream } from '../loop/turn.ts';
import { agrees, askModel } from './check.ts';
import { turnFlag } from './flag-cues.ts';

export type ProbeReport = { asked: number; agreed: number; disagreement?: string; skipped?: string };

/**
 * Up to `count` prompts: a source phrasing with another value for each slot, and with each of its
 * yes-or-no flags turned (flag-cues.ts), so the value read from the wording is proven too.
 */
export function counterfactualPrompts(spec: Pick<ReflexSpec, 'examples' | 'slots' | 'calls' | 'flags'>, count: number): string[] {
  const seen = new Set(spec.examples.map((e) => e.prompt));
  const flags = Object.entries(spec.flags ?? {});
  if (spec.slots.length === 0 && flags.length === 0) return spec.examples.slice(0, Math.min(1, count)).map((e) => e.prompt);
  const out: string[] = spec.slots.length === 0 ? spec.examples.slice(0, 1).map((e) => e.prompt) : [];
  const enums = new Map<string, string[]>();
  for (const call of spec.calls)
    for (const source of Object.values(call.args)) if ('slot' in source && source.oneOf) enums.set(source.slot, source.oneOf.map(String));
  const values = (name: string) => [...new Set([...spec.examples.map((e) => e.slots[name]), ...(enums.get(name) ?? [])])];
  const add = (prompt: string | undefined) => {
    if (prompt !== undefined && out.length < count && !seen.has(prompt) && !out.includes(prompt)) out.push(prompt);
  };
  for (const [i, example] of spec.examples.entries()) {
    let prompt = example.prompt;
    for (const name of spec.slots) {
      const others = values(name).filter((v) => v !== example.slots[name]);
      if (others.length === 0) continue;
      prompt = prompt.replace(example.slots[name], others[i % others.length]);
    }
    add(prompt);
    const keep = Object.values(example.slots).flatMap((v) => (prompt.includes(v) ? [{ start: prompt.indexOf(v), end: prompt.indexOf(v) + v.length }] : []));
    for (const [name, cue] of flags) if (example.flags?.[name] !== undefined) add(turnFlag(prompt, example.flags[name], cue, keep));
  }
  return out;
}

type Match = { confidence: number; slotsJson: string } | null | undefined;

/**
 * The probes of a built (not yet deployed) reflex. Probes run tools, so only a reflex whose tools
 * all change nothing is probed; the others are reported skipped.
 */
export async function probeReflex(
  deployment: Deployment,
  spec: ReflexSpec,
  deps: { llm: LlmStream; tools: ToolInfo[]; invoke: (name: string, input: string) => Promise<string>; count: number; threshold: number },
): Promise<ProbeReport> {
  const report: ProbeReport = { asked: 0, agreed: 0 };
  const unsafe = spec.calls.find((c) => !deps.tools.some((t) => t.name === c.tool && !t.needsApproval && !t.sideEffects));
  if (unsafe) return { ...report, skipped: `${unsafe.tool} may change things, so it is not run for a probe` };
  for (const prompt of counterfactualPrompts(spec, deps.count)) {
    const match = (await deployment.call('match', [prompt])) as Match;
    if (!match || match.confidence < deps.threshold) continue;
    let reflexAnswer: string;
    try {
      reflexAnswer = (await deployment.call('execute', [match.slotsJson])) as string;
    } catch {
      continue; // it would not answer: the model does, nothing is wrong
    }
    const model = await askModel(deps.llm, deps.tools, deps.invoke, prompt);
    if (model === undefined) continue;
    report.asked++;
    if (!agrees(reflexAnswer, model))
      return { ...report, disagreement: `to the probe "${prompt}" it answers "${reflexAnswer.slice(0, 120)}", the model "${model.slice(0, 120)}"` };
    report.agreed++;
  }
  return report;
}
