// How one request is written in other ways that mean the same, for the reflex runtime: a long
// word typed with one slip, a tie word of the same group ("price for X", "price of X"), and the
// skeleton of a code that tells a flight from a ticket key. Compiled into every reflex with the
// runtime (agent/reflex/compiler.ts inlines it). No clock, no randomness.
import { CONTRAST, FILLERS } from './words.js';

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
 */
export function sameCode(spec, name, text) {
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
 * thing is of ("price for AAPL", "price of AAPL"). Never across groups: "time for X" is no "time in X".
 */
const TIE_GROUPS = [
  ['in', 'at'],
  ['of', 'for'],
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
 * One letter left out, one too many, or two swapped ("wether", "weaather", "wheater"); one letter
 * for another only in a word of eight letters or more ("calender"; "snowing" is no "showing").
 */
function oneSlip(a, b) {
  if (a.length === b.length) {
    const i = [...a].findIndex((c, k) => c !== b[k]);
    if (i < 0) return false;
    if (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2)) return true;
    // One letter for another only in a long word, past its first two letters ("calender").
    return a.length >= 8 && i >= 2 && a.slice(i + 1) === b.slice(i + 1);
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  if (long.length !== short.length + 1) return false;
  const i = [...short].findIndex((c, k) => c !== long[k]);
  return i < 0 || short.slice(i) === long.slice(i + 1);
}

/** Two neighbouring letters swapped past the first ("tiem", "nmae" are not; "tmie" is "time"). */
function swapped(a, b) {
  if (a.length !== b.length || a[0] !== b[0]) return false;
  const i = [...a].findIndex((c, k) => c !== b[k]);
  return i > 0 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** A word without its ending ("walking", "walked", "walks" -> "walk"; "planned" -> "plan"; "arrives" -> "arriv"). */
function stem(w) {
  const bare = w.replace(/(ing|ed|es|s|e)$/, '');
  return bare.length >= 3 && bare[bare.length - 1] === bare[bare.length - 2] ? bare.slice(0, -1) : bare;
}

/**
 * A lower-case word no phrasing used, read as the one word of the phrasings it is one slip from:
 * a long word (same first letter) with a letter left out, doubled, swapped or (eight letters or
 * more) another; a word of four or five letters with two neighbours swapped; or another ending of
 * the same word in the same tense ("arriving" for "arrive"; "showed" is no "show"). A word the
 * runtime knows otherwise is never mended.
 */
export function mendTypos(spec, toks) {
  return toks.map((t) => {
    if (t.w.length < 4 || !/^\p{Ll}+$/u.test(t.w) || spec.vocabSet.has(t.w) || FILLERS.includes(t.w) || CONTRAST.includes(t.w)) return t;
    const near =
      t.w.length >= 6
        ? spec.vocab.filter((v) => v.length >= 6 && v[0] === t.w[0] && oneSlip(t.w, v))
        : spec.vocab.filter((v) => v.length >= 4 && swapped(t.w, v));
    if (near.length === 1) return { ...t, w: near[0], mended: true };
    const root = stem(t.w);
    // A past form only for a past form ("showed" is no "show": the tense is the request's).
    const past = (w) => w.endsWith('ed');
    const same = root.length >= 4 ? spec.vocab.filter((v) => /^\p{Ll}+$/u.test(v) && stem(v) === root && past(v) === past(t.w)) : [];
    return same.length === 1 ? { ...t, w: same[0], mended: true } : t;
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
