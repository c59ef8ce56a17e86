// The everyday evaluation set (data/everyday.json and everyday-tuning-*.json, eight tuning parts and three adversarial ones; data/everyday-heldout*.json, ten held-out parts):
// source turns from each intent's learned phrasings, the reflexes mined from all of them, and their
// precision and recall on paraphrases and near misses written apart from them, plus the learned
// phrasings asked with values no source turn had (new-value probes: an answer must be right or absent).
import { readFileSync } from 'node:fs';
import { createReflex, type ReflexExport } from '../../components/reflexes/runtime.js';
import type { Embedder } from '../../agent/reflex/embedder.ts';
import { minePatterns, type MinedPattern, type ObservedTurn } from '../../agent/reflex/miner.ts';
import { runEverydayTool } from './everyday-tools.ts';
import { answer } from './precision.ts';

export type EverydayIntent = {
  id: string;
  tool: string;
  constants?: Record<string, unknown>;
  slot: string | null;
  values: string[];
  answer: string;
  train: string[];
  paraphrases: string[];
  nearMisses: string[];
};

const read = (file: string) => JSON.parse(readFileSync(new URL(`./data/${file}`, import.meta.url), 'utf8'));
export const EVERYDAY: EverydayIntent[] = read('everyday.json').intents;
type Part = Record<string, { paraphrases: string[]; nearMisses: string[] }>;
/** The first held-out part. */
export const HELD_OUT: Part = read('everyday-heldout.json').intents;
/** A second held-out part, written before the second round of tuning (see its "about"). */
export const HELD_OUT_2: Part = read('everyday-heldout-2.json').intents;
/** A third held-out part (10 paraphrases and 10 near misses an intent), written before a later tuning round. */
export const HELD_OUT_3: Part = read('everyday-heldout-3.json').intents;
/** A fourth held-out part (10 paraphrases and 10 near misses an intent), written blind before a later tuning round. */
export const HELD_OUT_4: Part = read('everyday-heldout-4.json').intents;
/** A fifth held-out part (6 paraphrases and 5 near misses an intent), typed as a stranger, written before a later tuning round. */
export const HELD_OUT_5: Part = read('everyday-heldout-5.json').intents;
/** A sixth held-out part (10 paraphrases and 10 near misses an intent), typed as strangers, written by a helper that tunes nothing (see its "about"). */
export const HELD_OUT_6: Part = read('everyday-heldout-6.json').intents;
/** A seventh held-out part (10 paraphrases and 10 near misses an intent), typed as strangers, written blind by a helper that tunes nothing (see its "about"). */
export const HELD_OUT_7: Part = read('everyday-heldout-7.json').intents;
/** An eighth held-out part (10 paraphrases and 10 near misses an intent), typed as strangers, written blind by a helper that tunes nothing (see its "about"). */
export const HELD_OUT_8: Part = read('everyday-heldout-8.json').intents;
/** A ninth held-out part (10 paraphrases and 10 near misses an intent), typed as strangers, written blind by a helper that tunes nothing (see its "about"). */
export const HELD_OUT_9: Part = read('everyday-heldout-9.json').intents;
/** A tenth held-out part (10 paraphrases and 10 near misses an intent), typed as strangers, written blind by a helper that tunes nothing (see its "about"). */
export const HELD_OUT_10: Part = read('everyday-heldout-10.json').intents;
/** A second tuning part, written with the request lexicon and tuned on (see its "about"). */
export const TUNING_2: Part = read('everyday-tuning-2.json').intents;
/** A third tuning part, written as a stranger would type (slang, typos, values glued to signs; see its "about"). */
export const TUNING_3: Part = read('everyday-tuning-3.json').intents;
/** A fourth tuning part: other words of the same sense, and near misses one word away (see its "about"). */
export const TUNING_4: Part = read('everyday-tuning-4.json').intents;
/** A fifth tuning part, typed as strangers and written blind by a helper that tunes nothing (see its "about"). */
export const TUNING_5: Part = read('everyday-tuning-5.json').intents;
/** A sixth tuning part, typed as strangers and written blind by a helper that tunes nothing (see its "about"). */
export const TUNING_6: Part = read('everyday-tuning-6.json').intents;
/** A seventh tuning part, typed as strangers and written blind by a helper that tunes nothing (see its "about"). */
export const TUNING_7: Part = read('everyday-tuning-7.json').intents;
/** An eighth tuning part, typed as strangers and written blind by a helper that tunes nothing (see its "about"). */
export const TUNING_8: Part = read('everyday-tuning-8.json').intents;
/** An adversarial tuning part: near misses of every kind a stranger types (values of the wrong kind, other verbs, tenses, compounds; see its "about"). */
export const TUNING_ADVERSARIAL: Part = read('everyday-tuning-adversarial.json').intents;
/** A second adversarial tuning part: near misses only, 12 an intent, written blind by a helper that tunes nothing (see its "about"). */
export const TUNING_ADVERSARIAL_2: Part = read('everyday-tuning-adversarial-2.json').intents;
/** A third adversarial tuning part: near misses only, 12 an intent, written blind by a helper that tunes nothing (see its "about"). */
export const TUNING_ADVERSARIAL_3: Part = read('everyday-tuning-adversarial-3.json').intents;

/** Every part by name: the tuning ones may be read case by case, the held-out ones only in totals. */
export const PARTS = {
  tuning: Object.fromEntries(EVERYDAY.map((i) => [i.id, i])) as Part,
  tuning2: TUNING_2,
  tuning3: TUNING_3,
  tuning4: TUNING_4,
  tuning5: TUNING_5,
  tuning6: TUNING_6,
  tuning7: TUNING_7,
  tuning8: TUNING_8,
  adversarial: TUNING_ADVERSARIAL,
  adversarial2: TUNING_ADVERSARIAL_2,
  adversarial3: TUNING_ADVERSARIAL_3,
  heldOut: HELD_OUT,
  heldOut2: HELD_OUT_2,
  heldOut3: HELD_OUT_3,
  heldOut4: HELD_OUT_4,
  heldOut5: HELD_OUT_5,
  heldOut6: HELD_OUT_6,
  heldOut7: HELD_OUT_7,
  heldOut8: HELD_OUT_8,
  heldOut9: HELD_OUT_9,
  heldOut10: HELD_OUT_10,
};
export type PartName = keyof typeof PARTS;
export const TUNING_PARTS: PartName[] = [
  'tuning',
  'tuning2',
  'tuning3',
  'tuning4',
  'tuning5',
  'tuning6',
  'tuning7',
  'tuning8',
  'adversarial',
  'adversarial2',
  'adversarial3',
];
export const HELD_OUT_PARTS: PartName[] = [
  'heldOut',
  'heldOut2',
  'heldOut3',
  'heldOut4',
  'heldOut5',
  'heldOut6',
  'heldOut7',
  'heldOut8',
  'heldOut9',
  'heldOut10',
];

function get(value: unknown, path: string): unknown {
  if (path === '') return value;
  return path
    .split('.')
    .reduce<unknown>((here, key) => (here === null || typeof here !== 'object' ? undefined : (here as Record<string, unknown>)[key]), value);
}

/** The model's answer from the intent's format and the tool's result (see the "about" of everyday.json). */
export function format(template: string, result: unknown, slots: Record<string, string>): string {
  const fields = (text: string, scope: unknown) =>
    text.replace(/\{([=#]?)([\w.]*)\}/g, (_, mark: string, path: string) => {
      if (mark === '=') return slots[path];
      if (mark === '#') return String((get(scope, path) as unknown[]).length);
      return String(get(scope, path));
    });
  const withLists = template.replace(/\[\[([\w.]+)\|([^|]*)\|([^|]*)\|([^\]]*)\]\]/g, (_, path: string, item: string, sep: string, last: string) => {
    const items = (get(result, path) as unknown[]).map((it) => fields(item, it));
    return items.length === 1 ? items[0] : items.slice(0, -1).join(sep) + last + items.at(-1);
  });
  return fields(withLists, result);
}

/** An intent has one slot: any {name} in a phrasing is it (the held-out part names some differently). */
export function fill(phrasing: string, intent: EverydayIntent, value: string | undefined): string {
  return intent.slot && value !== undefined ? phrasing.replace(/\{\w+\}/g, value) : phrasing;
}

/** The model's right answer to the intent with a slot value (none for a constant plan). */
export function rightAnswer(intent: EverydayIntent, value: string | undefined): { args: Record<string, unknown>; result: string; answer: string } {
  const args = { ...intent.constants, ...(intent.slot && value !== undefined ? { [intent.slot]: value } : {}) };
  const result = runEverydayTool(intent.tool, JSON.stringify(args));
  return { args, result, answer: format(intent.answer, JSON.parse(result), intent.slot && value !== undefined ? { [intent.slot]: value } : {}) };
}

/** Source turns: each learned phrasing once, with the first four slot values. */
export function sourceTurns(intent: EverydayIntent): ObservedTurn[] {
  return intent.train.map((phrasing, i) => {
    const value = intent.slot ? intent.values[i % 4] : undefined;
    const { args, result, answer: text } = rightAnswer(intent, value);
    return { turnId: `${intent.id}-${i}`, prompt: fill(phrasing, intent, value), calls: [{ tool: intent.tool, args, result }], answer: text };
  });
}

/** wrong: paraphrases answered wrongly and near misses answered (nearMissesAnswered counts the latter). */
export type PartFigures = { paraphrases: number; correct: number; nearMisses: number; nearMissesAnswered: number; wrong: string[]; missed: string[] };
export type EverydayFigures = {
  patterns: MinedPattern[];
  parts: Partial<Record<PartName, PartFigures>>;
  probes: { asked: number; correct: number; wrong: string[] };
};

/**
 * Near misses that are another intent's own request: "how far is {city}" is no question about the
 * clock, and it is one about distance. Answered with that intent's right answer, they are right.
 */
const OTHER_INTENT: Record<string, Record<string, string>> = {
  clock: { 'how far is {city}': 'distance', 'what time is sunrise in {city}': 'sun', 'what time does the sun set in {city}': 'sun' },
};

type Labelled = { prompt: string; expected: string | undefined; alsoRight?: string };

function evaluate(reflexes: ReflexExport[], items: Labelled[], threshold: number): PartFigures {
  const out: PartFigures = { paraphrases: 0, correct: 0, nearMisses: 0, nearMissesAnswered: 0, wrong: [], missed: [] };
  for (const item of items) {
    const got = answer(reflexes, item.prompt, threshold);
    if (item.expected === undefined && got !== undefined && got === item.alsoRight) continue;
    if (item.expected === undefined) out.nearMisses++;
    else out.paraphrases++;
    if (got === undefined) {
      if (item.expected !== undefined) out.missed.push(item.prompt);
    } else if (got === item.expected) out.correct++;
    else {
      if (item.expected === undefined) out.nearMissesAnswered++;
      out.wrong.push(`${item.prompt} -> ${got}`);
    }
  }
  return out;
}

/** Paraphrases (expected: the right answer) and near misses (expected: none), with evaluation values. */
function labelled(intent: EverydayIntent, part: { paraphrases: string[]; nearMisses: string[] }): Labelled[] {
  const value = (i: number) => (intent.slot ? intent.values[4 + (i % (intent.values.length - 4))] : undefined);
  const otherRight = (phrasing: string, i: number) => {
    const other = EVERYDAY.find((x) => x.id === OTHER_INTENT[intent.id]?.[phrasing]);
    return other ? rightAnswer(other, value(i)).answer : undefined;
  };
  return [
    ...part.paraphrases.map((p, i) => ({ prompt: fill(p, intent, value(i)), expected: rightAnswer(intent, value(i)).answer })),
    ...part.nearMisses.map((p, i) => ({ prompt: fill(p, intent, value(i)), expected: undefined, alsoRight: otherRight(p, i) })),
  ];
}

/** The everyday reflexes, mined from every intent's learned phrasings. */
export async function everydayReflexes(
  embedder: Embedder,
  options = { minSupport: 3, similarity: 0.5 },
): Promise<{ patterns: MinedPattern[]; reflexes: ReflexExport[] }> {
  const patterns = await minePatterns(EVERYDAY.flatMap(sourceTurns), { embedder, minSupport: options.minSupport, similarity: options.similarity });
  const reflexes = patterns
    .filter((p) => !p.skipped)
    .map((p) => createReflex({ ...p.spec, name: JSON.stringify(p.spec.calls), description: '' }, runEverydayTool));
  return { patterns, reflexes };
}

/** The figures of the named parts (all by default) and the new-value probes. */
export async function measureEveryday(
  embedder: Embedder,
  options = { minSupport: 3, similarity: 0.5, threshold: 0.8 },
  names: PartName[] = [...TUNING_PARTS, ...HELD_OUT_PARTS],
): Promise<EverydayFigures> {
  const { patterns, reflexes } = await everydayReflexes(embedder, options);
  const parts: EverydayFigures['parts'] = {};
  for (const name of names)
    parts[name] = evaluate(
      reflexes,
      EVERYDAY.flatMap((i) => labelled(i, PARTS[name][i.id])),
      options.threshold,
    );
  // New-value probes: the learned phrasings with values no source turn had.
  const probes = { asked: 0, correct: 0, wrong: [] as string[] };
  for (const intent of EVERYDAY.filter((i) => i.slot)) {
    for (const [i, phrasing] of intent.train.entries()) {
      const value = intent.values[4 + (i % (intent.values.length - 4))];
      const got = answer(reflexes, fill(phrasing, intent, value), options.threshold);
      probes.asked++;
      if (got === undefined) continue;
      if (got === rightAnswer(intent, value).answer) probes.correct++;
      else probes.wrong.push(`${fill(phrasing, intent, value)} -> ${got}`);
    }
  }
  return { patterns, parts, probes };
}
