// How a reflex reads a word typed with a slip ("wether", "buld", "popluaton"): as the one word of
// its phrasings (or of the fillers every request may hold) that the slip could have come from,
// never when the typed word is itself a word the runtime knows (a time, a negation, another verb,
// a word of the lexicon) and never inside a slot's value (the slot is found after, in the words as
// typed where no phrasing's word was read). Part of the reflex runtime (runtime.js), inlined with
// it into every generated reflex. No clock, no randomness.
import { ASK_WORDS, AUX_WORDS, FUTURE, JOINS, NEGATIONS, PAST } from './intent.js';
import { CHANGE_VERBS, SYNONYMS } from './lexicon.js';
import { CONTRAST, FILLERS, FUNCTION_WORDS, singular } from './words.js';

/** Words the runtime reads as themselves: a typed one is no slip of another ("were" is no "where"). */
const KNOWN = new Set([
  ...FILLERS,
  ...CONTRAST,
  ...FUNCTION_WORDS,
  ...ASK_WORDS,
  ...AUX_WORDS,
  ...NEGATIONS,
  ...PAST,
  ...FUTURE,
  ...JOINS,
  ...CHANGE_VERBS,
  ...Object.keys(SYNONYMS),
  ...Object.values(SYNONYMS),
  // Words a slip of a phrasing's word would otherwise be read from ("whether" two slips from "weather").
  'whether',
]);

/** Words that change what is asked: another act, time, polarity, or a second request. */
const CHANGING = [...new Set([...CONTRAST, ...NEGATIONS, ...PAST, ...FUTURE, ...JOINS, ...CHANGE_VERBS])].filter((w) => w.length >= 4);
const KNOWN_LONG = [...KNOWN].filter((w) => w.length >= 4);

/** Fillers long enough to be typed with a slip ("plese", "currenty"): read as the filler. */
const LONG_FILLERS = FILLERS.filter((w) => w.length >= 6);

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
  return oneGap(a, b);
}

/** One letter left out of one of the two ("buld", "build"). */
function oneGap(a, b) {
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  if (long.length !== short.length + 1) return false;
  const i = [...short].findIndex((c, k) => c !== long[k]);
  return i < 0 || short.slice(i) === long.slice(i + 1);
}

/** The word with one letter left out, at each place. */
function gaps(w) {
  return [...w].map((_, i) => w.slice(0, i) + w.slice(i + 1));
}

/**
 * Two slips in a long word, one of them a letter left out or added ("popluaton", "reccomendation"):
 * the lengths differ, so two words of one length ("whether", "weather") are never read as each other.
 */
function twoSlips(typed, word) {
  if (typed.length === word.length || Math.abs(typed.length - word.length) > 2) return false;
  const [short, long] = typed.length < word.length ? [typed, word] : [word, typed];
  return gaps(long).some((g) => oneSlip(g, short));
}

/** Two neighbouring letters swapped past the first ("tiem", "nmae" are not; "tmie" is "time"). */
function swapped(a, b) {
  if (a.length !== b.length || a[0] !== b[0]) return false;
  const i = [...a].findIndex((c, k) => c !== b[k]);
  return i > 0 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** A short word typed with a letter left out or doubled, its first and last letters kept ("buld", "prce", "tiime"). */
function shortSlip(typed, word) {
  if (typed[0] !== word[0] || typed.at(-1) !== word.at(-1)) return false;
  if (typed.length + 1 === word.length) return word.length >= 5 && oneGap(typed, word);
  // A letter doubled: "tiime" is "time", but "rooom" only as "room".
  return typed.length === word.length + 1 && gaps(typed).some((g, i) => g === word && typed[i] === typed[i + (i > 0 ? -1 : 1)]);
}

/** The words a typed word could be a slip of, among `list` (the same first letter always). */
function slipsOf(typed, list) {
  // Only words of the same first letter and a length within two are compared (a guest runs this for every word).
  const alike = (byFirst(list).get(typed[0]) ?? []).filter((v) => Math.abs(v.length - typed.length) <= 2);
  const long = (v) => typed.length >= 6 && v.length >= 6;
  const near = alike.filter((v) => v.length >= 4 && (long(v) ? oneSlip(typed, v) : swapped(typed, v) || shortSlip(typed, v)));
  if (near.length > 0 || typed.length < 7) return near;
  return alike.filter((v) => v.length >= 7 && twoSlips(typed, v));
}

/** A list's words by their first letter, made once a list. */
const FIRST_LETTERS = new WeakMap();
function byFirst(list) {
  let index = FIRST_LETTERS.get(list);
  if (!index) {
    index = new Map();
    for (const v of list) {
      if (!index.has(v[0])) index.set(v[0], []);
      index.get(v[0]).push(v);
    }
    FIRST_LETTERS.set(list, index);
  }
  return index;
}

/**
 * A value typed in lower case that is a slip of a word no value is ("sowly", "bginners", "summay"
 * among `refused`, or any word the runtime reads as itself): what was meant is unsure, so it is
 * no sure value. A word that is itself a known word, or shorter than four letters, is as typed.
 */
export function slipOfRefused(word, refused) {
  if (word.length < 4 || !/^\p{Ll}+$/u.test(word) || KNOWN.has(word) || refused.includes(word)) return false;
  return remembered(REFUSED_SLIPS, word, () => slipsOf(word, KNOWN_LONG).length > 0 || slipsOf(word, refused).length > 0);
}

// The same word is asked about for every template and span of every reflex: each answer is kept
// (a few thousand words at most, then forgotten at once).
const REFUSED_SLIPS = new Map();
const CHANGING_SLIPS = new Map();
function remembered(cache, word, work) {
  let found = cache.get(word);
  if (found === undefined) {
    if (cache.size > 5000) cache.clear();
    found = work();
    cache.set(word, found);
  }
  return found;
}

/** The words of the lexicon and the spec's sense map that mean one of the phrasings' words, to that word (read once a spec). */
const SENSES = new WeakMap();
function sameSense(spec) {
  let map = SENSES.get(spec);
  if (map) return map;
  map = new Map();
  for (const [w, v] of [...Object.entries(SYNONYMS), ...Object.entries(spec.senses ?? {})]) if (w.length >= 5 && spec.vocabSet.has(v)) map.set(w, v);
  map.words = [...map.keys()];
  SENSES.set(spec, map);
  return map;
}

/** The phrasings' words that have a plural, their plurals, and those that end in "s" of themselves (made once a spec). */
const FORMS = new WeakMap();
function forms(spec) {
  let found = FORMS.get(spec);
  if (!found) {
    const plurals = spec.vocab.filter((v) => /^\p{Ll}+$/u.test(v) && singular(`${v}s`) === v);
    found = { plurals, pluralForms: plurals.map((v) => `${v}s`), endInS: spec.vocab.filter((v) => v.endsWith('s')) };
    FORMS.set(spec, found);
  }
  return found;
}

/** A word without its ending ("walking", "walked", "walks" -> "walk"; "planned" -> "plan"; "arrives" -> "arriv"). */
function stem(w) {
  const bare = w.replace(/(ing|ed|es|s|e)$/, '');
  return bare.length >= 3 && bare[bare.length - 1] === bare[bare.length - 2] ? bare.slice(0, -1) : bare;
}

/**
 * A lower-case word no phrasing used, read as the one word of the phrasings it is a slip from:
 * one letter left out, doubled or swapped, one for another in a word of eight letters or more, two
 * such slips in a word of seven or more where one is a letter left out or added; or another ending
 * of the same word in the same tense ("arriving" for "arrive"; "showed" is no "show"). Two words
 * it could be a slip of: neither. A word the runtime knows otherwise, or one the spec's sense map
 * reads, is never mended; a slip of a filler ("plese") is read as the filler. `mended` says how:
 * 'slip' (no word as typed, so no first word of a value after it) or true (another ending).
 */
export function mendTypos(spec, toks, prompt) {
  // A plural is read as its singular, and so is a slip of one ("noets" as "noet", "emaisl" as
  // "email"): only as a word whose plural that is ("times" is no plural of "time"), and like a
  // plural, no sure end of the words before a value ("show my noets folder").
  const { plurals, pluralForms, endInS } = forms(spec);
  return toks.map((t) => {
    if (t.w.length < 4 || !/^\p{Ll}+$/u.test(t.w) || spec.vocabSet.has(t.w)) return t;
    // A word the runtime knows is no slip, but may be another ending of a phrasing's word ("showing").
    if (KNOWN.has(t.w)) return FILLERS.includes(t.w) || CONTRAST.includes(t.w) ? t : otherEnding(spec, t);
    if (spec.senses && Object.hasOwn(spec.senses, t.w)) return t;
    // A slip of a word that changes the intent ("chage", "cancle", "yesturday") may be that word:
    // never another, unless the phrasings have it ("whne" where they asked "when").
    if (remembered(CHANGING_SLIPS, t.w, () => slipsOf(t.w, CHANGING)).some((w) => !spec.vocabSet.has(w))) return t;
    const typed = prompt.slice(t.start, t.end).toLowerCase();
    if (typed !== t.w && typed.endsWith('s')) {
      const asPlural = [...slipsOf(t.w, plurals), ...slipsOf(typed, pluralForms).map((v) => v.slice(0, -1))];
      // Or a word that ends in "s" itself ("stauts" for "status").
      const near = [...new Set([...asPlural, ...slipsOf(typed, endInS)])];
      return near.length === 1 ? { ...t, w: near[0], mended: true } : t;
    }
    const near = slipsOf(t.w, spec.vocab);
    if (near.length === 1) return { ...t, w: near[0], mended: 'slip' };
    if (near.length > 1) return t;
    const plural = slipsOf(t.w, pluralForms);
    if (plural.length === 1) return { ...t, w: plural[0].slice(0, -1), mended: true };
    // A slip of another word for one of the phrasings' ("avialable": available, free).
    const meant = sameSense(spec);
    const other = [...new Set(slipsOf(t.w, meant.words).map((w) => meant.get(w)))];
    if (other.length === 1) return { ...t, w: other[0], mended: 'slip' };
    const filler = slipsOf(t.w, LONG_FILLERS);
    if (filler.length === 1) return { ...t, w: filler[0], mended: 'slip' };
    return otherEnding(spec, t);
  });
}

/** Another ending of one word of the phrasings, in the same tense ("arriving" for "arrive"; "showed" is no "show"). */
function otherEnding(spec, t) {
  const root = stem(t.w);
  // A past form only for a past form ("showed" is no "show": the tense is the request's).
  const past = (w) => w.endsWith('ed');
  const same = root.length >= 4 ? spec.vocab.filter((v) => /^\p{Ll}+$/u.test(v) && stem(v) === root && past(v) === past(t.w)) : [];
  return same.length === 1 ? { ...t, w: same[0], mended: true } : t;
}
