// Words of the same sense for a reflex's phrasings: from the committed sense table (senses.json,
// written by senses-build.ts from WordNet's synonym sets, checked against GloVe word vectors), the
// miner gives each spec the words no phrasing used that mean what a phrasing's word means
// ("bill" -> "invoice"). Only words that name a thing or a quality: a verb, a time, a negation or
// any word that changes what is asked never enters or leaves the table's reading, so "archive the
// invoice" still goes to the model. The guest reads the spec's map alone (runtime mendSenses).
import { readFileSync } from 'node:fs';
import { CONTRAST, FILLERS, words } from '../../components/reflexes/runtime.js';
import { ASK_WORDS, FUTURE, JOINS, NEGATIONS, PAST } from '../../components/reflexes/intent.js';
import { CHANGE_VERBS, READ_VERBS } from '../../components/reflexes/lexicon.js';
import { FUNCTION_WORDS } from '../../components/reflexes/words.js';
import { SEE_VERBS } from '../../components/reflexes/bag.js';

type Table = { about: string; inputs: string; senses: Record<string, string[]> };

let table: Map<string, Set<string>> | undefined;

/**
 * The table by the runtime's reading of its words ("arrive" is read "come", so "arrival" means
 * "come"), read once (about 300 KB, a few milliseconds).
 */
function senseTable(): Map<string, Set<string>> {
  if (table) return table;
  const raw = (JSON.parse(readFileSync(new URL('./senses.json', import.meta.url), 'utf8')) as Table).senses;
  table = new Map();
  for (const [word, same] of Object.entries(raw)) {
    const read = readOne(word);
    if (read === undefined) continue;
    const into = table.get(read) ?? new Set();
    // A word the lexicon reads as another ("mobile" is a phone) brings only its own derived forms
    // ("arrival" of "arrive", read "come"): its other senses ("mobile": roving) are not the lexicon's.
    for (const w of same) if (read === word || w.startsWith(word.slice(0, 4))) into.add(w);
    table.set(read, into);
  }
  return table;
}

/** Words whose meaning is the request's grammar, act, time or polarity: never read as another. */
const FIXED = new Set([
  ...CONTRAST,
  ...FILLERS,
  ...FUNCTION_WORDS,
  ...CHANGE_VERBS,
  ...READ_VERBS,
  ...SEE_VERBS,
  ...ASK_WORDS,
  ...NEGATIONS,
  ...PAST,
  ...FUTURE,
  ...JOINS,
]);

/** One word in the runtime's reading ("conditions" -> "condition", "cellphone" -> "phone"), or undefined if it reads as more or none. */
function readOne(word: string): string | undefined {
  const read = words(word);
  return read.length === 1 ? read[0].w : undefined;
}

/**
 * The spec's sense map: each word of the table that means one of the phrasings' own words (`vocab`,
 * in the runtime's reading), read as that word. A word meaning two of them is left out (which one
 * it means is unknown), and so is a word the phrasings used or that carries the request's grammar.
 */
export function sensesFor(vocab: string[]): Record<string, string> {
  const own = new Set(vocab);
  const found = new Map<string, Set<string>>();
  const senses = senseTable();
  for (const v of own) {
    if (FIXED.has(v)) continue;
    for (const raw of senses.get(v) ?? []) {
      const u = readOne(raw);
      if (u === undefined || own.has(u) || FIXED.has(u) || u === v) continue;
      found.set(u, (found.get(u) ?? new Set()).add(v));
    }
  }
  const out: Record<string, string> = {};
  for (const [u, vs] of [...found].sort((a, b) => a[0].localeCompare(b[0]))) if (vs.size === 1) out[u] = [...vs][0];
  return out;
}
