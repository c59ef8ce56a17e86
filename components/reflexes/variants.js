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
 * A9), a value must have that skeleton: "APP-256" is a ticket's key, not a flight.
 */
export function sameCode(spec, name, text) {
  const seen = spec.codes?.get(name);
  if (seen?.size !== 1) return true;
  const [only] = seen;
  return !/9/.test(only) || skeleton(text) === only;
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

/**
 * A long lower-case word no phrasing used, read as the one long word of the phrasings it is one
 * slip from (same first letter); a word the runtime knows otherwise is never mended.
 */
export function mendTypos(spec, toks) {
  return toks.map((t) => {
    if (t.w.length < 6 || !/^\p{Ll}+$/u.test(t.w) || spec.vocabSet.has(t.w) || FILLERS.includes(t.w) || CONTRAST.includes(t.w)) return t;
    const near = spec.vocab.filter((v) => v.length >= 6 && v[0] === t.w[0] && oneSlip(t.w, v));
    return near.length === 1 ? { ...t, w: near[0] } : t;
  });
}
