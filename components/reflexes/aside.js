// A look-up asked after a word about the one asking ("im lost, what does laconic mean", "going
// to europe - whats AUD to euro"): the aside, set apart by a comma, a colon or a dash, says why
// one asks, not what. Part of the reflex runtime (runtime.js), inlined with it into every
// generated reflex.
import { FUTURE, JOINS, NEGATIONS, PAST } from './intent.js';
import { CONTRAST } from './words.js';
import { isFiller } from './slot-fit.js';
import { kindOf } from './value-kinds.js';

/** Words that open a clause about the one asking: a first person, as typed. */
const FIRST_PERSON = ['i', "i'm", 'im', 'we', "we're"];

/** Words opening a reason or a moment of the one asking ("before i head out"); "after" and "since" would say another time. */
const BECAUSE = ['before', 'because', 'cause', 'cos', 'while'];

/** The most words an aside has: a longer clause may say a request of its own. */
const MAX_ASIDE = 5;

/** Words that change the intent, and their -ing forms ("deleting", "booking"). */
export const ASIDE_CHANGES = new Set([...CONTRAST, ...NEGATIONS, ...PAST, ...FUTURE, ...JOINS].flatMap((c) => [c, `${c}ing`, `${c.replace(/e$/, '')}ing`]));

/** Parts of a day or week one may be asking of ("packing for the weekend"): another time than now. */
const TIMES = ['weekend', 'morning', 'afternoon', 'evening', 'night', 'noon', 'midnight', 'hour', 'minute'];

/** A word that changes the intent, a time of day or week, or a past form of another act ("i deleted it"). */
export function changes(w) {
  if (ASIDE_CHANGES.has(w) || TIMES.includes(w) || kindOf(w) === 'weekday') return true;
  return /ed$/.test(w) && [w.slice(0, -1), w.slice(0, -2), w.slice(0, -3)].some((c) => c.length > 2 && ASIDE_CHANGES.has(c));
}

/** Where the prompt sets one clause apart from the next, between two words. */
export function splitsClauses(prompt, left, right) {
  const gap = prompt.slice(left.end, right.start);
  return /[,;:!?]|\s[-–—]+\s|\.\s/.test(gap);
}

/**
 * The words of the request without its opening aside, or null where it has none. An aside is
 * the first clause, of at most five words, opened by a first person ("im lost") or by a verb in
 * -ing ("going to europe"); it holds no word the phrasings used, no name, code or number (a
 * second value: "calling a client in Oslo"), and nothing that changes the intent (a time, a
 * negation, another act: "going there tomorrow", "deleting it"), so the rest asks all there is.
 */
export function withoutAside(spec, toks, prompt) {
  const end = toks.findIndex((t, k) => k + 1 < toks.length && splitsClauses(prompt, t, toks[k + 1])) + 1;
  if (end <= 0 || end > MAX_ASIDE || end >= toks.length) return null;
  const aside = toks.slice(0, end);
  // As typed: the lexicon may have read "reading" as "read".
  // The first word as typed, where the lexicon read it with the next as one ("running late").
  const first = prompt.slice(aside[0].start, aside[0].end).toLowerCase().split(/\s+/)[0];
  // "before i head out", "because we're late": a reason or a moment of one's own, opened by a first person after it.
  const second = aside[1] ? prompt.slice(aside[1].start, aside[1].end).toLowerCase() : '';
  const mine = FIRST_PERSON.includes(first) || (BECAUSE.includes(first) && FIRST_PERSON.includes(second));
  if (!mine && !/^\p{Ll}{3,}ing$/u.test(first)) return null;
  for (const t of aside) {
    const typed = prompt.slice(t.start, t.end);
    // A filler a phrasing had ("my" of "my step count") says nothing of the request.
    if ((spec.vocabSet.has(t.w) && !isFiller(t.w)) || changes(t.w) || /\d/.test(typed) || (/^\p{Lu}/u.test(typed) && t !== aside[0])) return null;
  }
  return toks.slice(end);
}
