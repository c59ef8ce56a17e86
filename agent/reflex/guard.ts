// The precision guard, run on a built reflex before it may be deployed: it must reproduce the
// answer of every turn it was compiled from (with those turns' recorded tool results replayed, so
// the check is exact and runs no tool), and it must refuse near misses generated from its source
// prompts: the same words with another intent ("delete my note x" for "show my note x", "... tomorrow",
// "don't ..."), and the prompt without its slot value.
import { randomUUID } from 'node:crypto';
import { CONTRAST, words, type ReflexSpec } from '../../components/reflexes/runtime.js';
import type { Deployment } from '../../kernel/deployment.ts';
import type { ObservedTurn } from './miner.ts';

export type GuardReport = { ok: boolean; reasons: string[]; reproduced: number; nearMisses: string[]; refused: number };

/** Replays recorded tool results for the calls a reflex makes under one call id; returns the undo. */
export type Replay = (callId: string, results: Array<{ tool: string; result: string }>) => () => void;

const OTHER_INTENTS = ['delete', 'update', 'cancel', 'send'];
const SUFFIXES = ['tomorrow', 'yesterday', 'last week', 'on average', 'history'];

export function nearMisses(spec: Pick<ReflexSpec, 'examples' | 'core'>): string[] {
  const out = new Set<string>();
  for (const example of spec.examples.slice(0, 3)) {
    const prompt = example.prompt.replace(/[?.!\s]+$/, '');
    // A suffix the prompt already ends with changes nothing ("... last week last week").
    for (const suffix of SUFFIXES) if (!prompt.toLowerCase().endsWith(suffix)) out.add(`${prompt} ${suffix}`);
    out.add(`don't ${prompt}`);
    const toks = words(prompt);
    const slotWords = new Set(Object.values(example.slots).flatMap((v) => words(v).map((t) => t.w)));
    const first = toks[0];
    if (first && !slotWords.has(first.w) && !CONTRAST.includes(first.w)) {
      for (const verb of OTHER_INTENTS) out.add(verb + prompt.slice(first.end));
    }
    const core = toks.find((t) => spec.core.includes(t.w));
    if (core) out.add(`${prompt.slice(0, core.start)}average ${prompt.slice(core.start)}`);
    let bare = prompt;
    for (const value of Object.values(example.slots)) bare = bare.replace(value, ' ');
    out.add(bare.replace(/\s+/g, ' ').trim());
  }
  return [...out].filter((p) => p.length > 0);
}

type Match = { confidence: number; slotsJson: string } | null | undefined;

export async function guardReflex(deployment: Deployment, spec: ReflexSpec, sources: ObservedTurn[], threshold: number, replay: Replay): Promise<GuardReport> {
  const reasons: string[] = [];
  let reproduced = 0;
  for (const turn of sources) {
    const match = (await deployment.call('match', [turn.prompt])) as Match;
    if (!match || match.confidence < threshold) {
      reasons.push(`does not answer its source prompt "${turn.prompt}" (confidence ${match?.confidence ?? 0})`);
      continue;
    }
    const callId = `reflex-guard/${randomUUID()}`;
    const undo = replay(callId, turn.calls.map((c) => ({ tool: c.tool, result: c.result })));
    try {
      const answer = (await deployment.call('execute', [match.slotsJson], { callId })) as string;
      if (answer === turn.answer) reproduced++;
      else reasons.push(`answers "${answer}" to "${turn.prompt}", where the model answered "${turn.answer}"`);
    } catch (error) {
      reasons.push(`fails on "${turn.prompt}": ${(error as Error).message}`);
    } finally {
      undo();
    }
  }
  const misses = nearMisses(spec);
  let refused = 0;
  for (const prompt of misses) {
    const match = (await deployment.call('match', [prompt])) as Match;
    if (match && match.confidence >= threshold) reasons.push(`answers the near miss "${prompt}" (confidence ${match.confidence})`);
    else refused++;
  }
  return { ok: reasons.length === 0, reasons, reproduced, nearMisses: misses, refused };
}
