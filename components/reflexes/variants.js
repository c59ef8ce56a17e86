// How one request is written in other ways that mean the same, for the reflex runtime: a tie word
// of the same group ("price for X", "price of X"), a word of the same sense, and the skeleton of a
// code that tells a flight from a ticket key (a word typed with a slip: typos.js). Compiled into
// every reflex with the runtime (agent/reflex/compiler.ts inlines it). No clock, no randomness.
import { fitsNumber } from './number-slot.js';

/** A code's skeleton: runs of capitals, small letters and digits as A, a and 9, other marks kept ("OPS-112" -> "A-9"). */
export function skeleton(text) {
  return text
    .replace(/\p{Lu}+/gu, 'A')
    .replace(/\p{Ll}+/gu, 'a')
    .replace(/\d+/g, '9');
}

/**
 * When every source value of a slot was a code of one skeleton with digits ("LH401", "BA117":
 * A9), a value must have that skeleton ("APP-256" is a ticket's key, not a flight) and runs as
 * long as theirs (closeCode: "DPD6614" is a parcel's). When none had a digit, a value must have none.
 * A slot of plain numbers takes a number as they were written, of any digit count (number-slot.js).
 */
export function sameCode(spec, name, text) {
  // A slot of numbers takes a number of another digit count ("message 100" after "message 3").
  const number = spec.numberSlots?.get(name);
  if (number) return fitsNumber(number, text);
  const seen = spec.codes?.get(name);
  if (!seen || seen.size === 0) return true;
  // No source value had a digit ("USD", "Paris"): one with a number ("100 USD") is an amount, no value.
  if (/\d/.test(text) && ![...seen].some((k) => /9/.test(k))) return false;
  if (seen.size !== 1) return true;
  const [only] = seen;
  return !/9/.test(only) || (skeleton(text) === only && closeCode(spec, name, text));
}

/** A code's runs of letters and digits with their lengths ("DPD6614" -> [["A", 3], ["9", 4]]). */
function runs(text) {
  return [...text.matchAll(/\p{Lu}+|\p{Ll}+|\d+|[^\p{L}\d]+/gu)].map((m) => [skeleton(m[0]), m[0].length]);
}

/**
 * A code written as its slot's source codes were, run by run: the same letter counts ("LH401",
 * "BA117": two), digit counts within one of theirs ("EK9", "KL1776"). Said without its kind word
 * ("status of DPD6614"), only such a code is taken for this slot's kind: three letters are no flight.
 */
export function closeCode(spec, name, text) {
  const seen = (spec.examples ?? []).map((e) => e.slots?.[name]).filter((v) => typeof v === 'string');
  if (seen.length === 0 || !seen.every((v) => /\d/.test(v))) return false;
  const mine = runs(text);
  const alike = seen.map(runs).filter((r) => r.length === mine.length && r.every(([k], i) => k === mine[i][0]));
  if (alike.length === 0) return false;
  return mine.every(([kind, length], i) => {
    const lengths = alike.map((r) => r[i][1]);
    const slack = kind === '9' ? 1 : 0;
    return length >= Math.min(...lengths) - slack && length <= Math.max(...lengths) + slack;
  });
}

/**
 * Tie words that say the same: a place ("departures at Mainz", "departures in Mainz") or what a
 * thing is of or on ("price for AAPL", "price of AAPL", "word count on report.md"). Never across
 * groups: "time for X" is no "time in X".
 */
const TIE_GROUPS = [
  ['in', 'at'],
  ['of', 'for', 'on'],
];
export const TIES = TIE_GROUPS.flat();

export function sameTie(a, b) {
  return TIE_GROUPS.some((g) => g.includes(a) && g.includes(b));
}

/** A tie word where the template has another ("status for flight X", "status of flight X"): read as the template's. */
export function swapTies(template, rest) {
  const missing = template.filter((w) => TIES.includes(w) && !rest.includes(w));
  if (missing.length === 0) return rest;
  return rest.map((w) => {
    if (!TIES.includes(w) || template.includes(w)) return w;
    const k = missing.findIndex((m) => sameTie(m, w));
    return k < 0 ? w : missing.splice(k, 1)[0];
  });
}

/**
 * A word no phrasing used that means what one of theirs means ("bill" for "invoice", "sundown" for
 * "sunset"): read as that word. `spec.senses` is written by the host when it mines the reflex, from
 * its sense table (agent/reflex/senses.ts), for the phrasings' own words only; a word of another
 * act, time or polarity is never in it, so the intent check still sees the request as it was said.
 */
export function mendSenses(spec, toks) {
  const senses = spec.senses;
  if (!senses) return toks;
  return toks.map((t) => (!spec.vocabSet.has(t.w) && Object.hasOwn(senses, t.w) ? { ...t, w: senses[t.w] } : t));
}
