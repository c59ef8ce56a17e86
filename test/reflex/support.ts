// The intents of data/intents.json as observed turns (what the miner reads from the store) and as
// labelled prompts (paraphrases and near misses) for measuring precision and recall.
import { readFileSync } from 'node:fs';
import type { ObservedTurn } from '../../agent/reflex/miner.ts';
import { notes, quote, weather } from './tools.js';

export type Intent = {
  id: string;
  tool: 'weather' | 'notes' | 'quote';
  slot: string;
  constants?: Record<string, string>;
  values: string[];
  answer: string;
  train: string[];
  paraphrases: string[];
  nearMisses: string[];
};

export const INTENTS: Intent[] = JSON.parse(readFileSync(new URL('./data/intents.json', import.meta.url), 'utf8')).intents;

export const TOOLS: Record<string, (args: never) => unknown> = { weather, notes, quote };

export function runTool(name: string, input: string): string {
  const tool = TOOLS[name];
  if (!tool) throw new Error(`no tool ${name}`);
  return JSON.stringify(tool(JSON.parse(input) as never));
}

export function fill(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k]));
}

/** The model's right answer to an intent with a slot value. */
export function rightAnswer(intent: Intent, value: string): { args: Record<string, string>; result: string; answer: string } {
  const args = { ...intent.constants, [intent.slot]: value };
  const result = runTool(intent.tool, JSON.stringify(args));
  return { args, result, answer: fill(intent.answer, { ...JSON.parse(result), [intent.slot]: value }) };
}

let counter = 0;

/** Source turns: every training phrasing with `perPhrasing` slot values from the first half of the values. */
export function observedTurns(intent: Intent, perPhrasing = 1): ObservedTurn[] {
  const pool = intent.values.slice(0, Math.ceil(intent.values.length / 2));
  const turns: ObservedTurn[] = [];
  intent.train.forEach((phrasing, i) => {
    for (let k = 0; k < perPhrasing; k++) {
      const value = pool[(i * perPhrasing + k) % pool.length];
      const { args, result, answer } = rightAnswer(intent, value);
      turns.push({
        turnId: `${intent.id}-${++counter}`,
        prompt: fill(phrasing, { [intent.slot]: value }),
        calls: [{ tool: intent.tool, args, result }],
        answer,
      });
    }
  });
  return turns;
}

export type Labelled = { prompt: string; intent: Intent; value: string; expected: string | undefined };

/** Held-out prompts: paraphrases (expected: the right answer) and near misses (expected: no answer). */
export function heldOut(intent: Intent): Labelled[] {
  const values = intent.values.slice(Math.ceil(intent.values.length / 2));
  const out: Labelled[] = [];
  intent.paraphrases.forEach((p, i) => {
    const value = values[i % values.length];
    out.push({ prompt: fill(p, { [intent.slot]: value }), intent, value, expected: rightAnswer(intent, value).answer });
  });
  intent.nearMisses.forEach((p, i) => {
    const value = values[i % values.length];
    out.push({ prompt: fill(p, { [intent.slot]: value }), intent, value, expected: undefined });
  });
  return out;
}
