// The precision guard, run on a built reflex before it may be deployed: it must reproduce the
// answer of every turn it was compiled from (with those turns' recorded tool results replayed, so
// the check is exact and runs no tool), and it must refuse near misses generated from its source
// prompts: another verb ("delete my note x" for "show my note x"), another object, a negation,
// another tense or time, a compound request ("... and delete it"), and, when it has slots, the
// prompt without its slot value. A near miss is never the prompt itself (a slot-less reflex has
// no value to remove).
import { randomUUID } from 'node:crypto';
import { CONTRAST, words, type ReflexSpec } from '../../components/reflexes/runtime.js';
import type { Deployment } from '../../kernel/deployment.ts';
import type { ObservedTurn } from './miner.ts';

export type GuardReport = { ok: boolean; reasons: string[]; reproduced: number; nearMisses: string[]; refused: number };

/** Replays recorded tool results for the calls a reflex makes under one call id; returns the undo. */
export type Replay = (callId: string, results: Array<{ tool: string; result: string }>) => () => void;

const OTHER_INTENTS = ['delete', 'update', 'cancel', 'send'];
const SUFFIXES = ['tomorrow', 'yesterday', 'last week', 'on average', 'history'];
const OTHER_OBJECTS = ['invoice', 'password'];
const COMPOUNDS = [' and delete it', ', then email it to Bob'];
const PAST: Record<string, string> = { is: 'was', are: 'were', do: 'did', does: 'did', has: 'had', have: 'had' };

export function nearMisses(spec: Pick<ReflexSpec, 'examples' | 'core'>): string[] {
  const out = new Set<string>();
  for (const example of spec.examples.slice(0, 3)) {
    const prompt = example.prompt.replace(/[?.!\s]+$/, '');
    const replace = (t: { start: number; end: number }, by: string) => prompt.slice(0, t.start) + by + prompt.slice(t.end);
    // A suffix the prompt already ends with changes nothing ("... last week last week").
    for (const suffix of SUFFIXES) if (!prompt.toLowerCase().endsWith(suffix)) out.add(`${prompt} ${suffix}`);
    for (const compound of COMPOUNDS) out.add(prompt + compound);
    out.add(`don't ${prompt}`);
    const toks = words(prompt);
    const slotWords = new Set(Object.values(example.slots).flatMap((v) => words(v).map((t) => t.w)));
    const first = toks[0];
    if (first && !slotWords.has(first.w) && !CONTRAST.includes(first.w)) {
      for (const verb of OTHER_INTENTS) out.add(verb + prompt.slice(first.end));
    }
    // Another tense: "what was ..." for "what is ..." and "what's ...".
    const tensed = toks.find((t) => t.w in PAST);
    if (tensed) {
      const text = prompt.slice(tensed.start, tensed.end);
      if (text.toLowerCase() === tensed.w) out.add(replace(tensed, PAST[tensed.w]));
      else if (tensed.w === 'is' && /['’]s$/i.test(text)) out.add(replace(tensed, `${text.slice(0, -2)} was`));
    }
    // Another object: the last core word that is not a slot word, swapped for another thing.
    const object = toks.filter((t) => spec.core.includes(t.w) && !slotWords.has(t.w) && t.w.length > 3 && !(t.w in PAST)).at(-1);
    if (object) for (const other of OTHER_OBJECTS) if (other !== object.w) out.add(replace(object, other));
    const core = toks.find((t) => spec.core.includes(t.w));
    if (core) out.add(`${prompt.slice(0, core.start)}average ${prompt.slice(core.start)}`);
    if (Object.keys(example.slots).length > 0) {
      let bare = prompt;
      for (const value of Object.values(example.slots)) bare = bare.replace(value, ' ');
      out.add(bare.replace(/\s+/g, ' ').trim());
    }
  }
  // Never the prompt itself (nor one that differs only in case or punctuation).
  const own = new Set(
    spec.examples.map((e) =>
      words(e.prompt)
        .map((t) => t.w)
        .join(' '),
    ),
  );
  return [...out].filter(
    (p) =>
      p.length > 0 &&
      !own.has(
        words(p)
          .map((t) => t.w)
          .join(' '),
      ),
  );
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
    const undo = replay(
      callId,
      turn.calls.map((c) => ({ tool: c.tool, result: c.result })),
    );
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
