// Whether a span of a request can be a slot's value: written as the slot's source values were
// (their shape, their kind: a weekday, a currency code, a file name; a code's runs), no word that
// changes the intent, no filler alone, no more words than seen, a number standing alone. Part of
// the reflex runtime (runtime.js), inlined with it into every generated reflex.
import { applyForm } from './answer.js';
import { FUTURE, JOINS, NEGATIONS, PAST } from './intent.js';
import { CHANGE_VERBS } from './lexicon.js';
import { closeCode, sameCode } from './variants.js';
import { CONTRAST, FILLERS, FUNCTION_WORDS, singular } from './words.js';
import { KIND_WORDS, kindOf, sameKind } from './value-kinds.js';
import { slipOfRefused } from './typos.js';

/** How a value is written: "number", "upper" (AAPL, LH401), "title" (New York), "lower" (monday), or "mixed". */
export function shapeOf(text) {
  const value = String(text).trim();
  if (/^[\d.,:+-]+$/.test(value)) return 'number';
  if (!/\p{Ll}/u.test(value)) return 'upper';
  if (!/\p{Lu}/u.test(value)) return 'lower';
  if (value.split(/\s+/).every((w) => /^[\p{Lu}\d]/u.test(w))) return 'title';
  return 'mixed';
}

/**
 * A span may fill a slot when it is written the way the source turns' values were ("cardano"
 * is no ticker like "AAPL"), is of their kind (value-kinds.js), and is no longer than they were
 * but for a place named in two ("New York" after "Paris"; never "Hobart Tasmania", which the
 * model may call as "Hobart" and answer so).
 */
export function fitsSlot(spec, name, span, text, next, prev, following = []) {
  if (span.every((t) => FUNCTION_WORDS.includes(t.w)) && !/\p{Lu}/u.test(text)) return false;
  // "today", "currently": the time of the request, never its value.
  if (span.some((t) => t.w === 'now')) return false;
  if (!sameCode(spec, name, text) || !sameKind(spec, name, text)) return false;
  // "export my notes", "print my invoice": a word in lower case opening the request before one's own
  // thing is a verb acting on it, not the thing's name ("books note" names it right before its kind).
  if (prev === undefined && ['my', 'our', 'your'].includes(next) && !/\p{Lu}/u.test(text)) return false;
  if (!/\p{Lu}/u.test(text) && span.every((t) => isFiller(t.w) || NO_VALUE.includes(t.w))) return false;
  // "read my note sowly", "recipe for bginners": a word no value is, typed with a slip.
  if (!/\p{Lu}/u.test(text) && span.some((t) => slipOfRefused(t.w, REFUSED))) return false;
  // "later", "was", "and": the request's time, polarity or a second request, never inside a value.
  const valueWords = spec.valueWords?.get(name);
  if (span.some((t) => INTENT_WORDS.includes(t.w) && !valueWords?.has(t.w))) return false;
  // "Hobart, Tasmania", "SEK, NOK": a list or a place and its region, where no source value had a comma.
  if (/[,;]/.test(text) && !valueWords?.has(',')) return false;
  // "in a haiku", "for the trip", "does my boss mean": a common noun after its article or a
  // possessive, where no phrasing had one before
  // the value; "the hosting invoice", "a paella recipe" name the thing after the value and are values.
  // A word that follows the value in a phrasing ("mean" of "what does {word} mean") names nothing.
  const named =
    next !== undefined &&
    spec.vocabSet.has(next) &&
    !FUNCTION_WORDS.includes(next) &&
    !spec.templates.some((t) => t.some((w, i) => w === `{${name}}` && t[i + 1] === next));
  const article = prev !== undefined && ARTICLES.includes(prev) && !named && /^\p{Ll}/u.test(text) && spec.kinds?.get(name) === undefined;
  if (article && !spec.templates.some((t) => t.some((w, i) => w === `{${name}}` && ARTICLES.includes(t[i - 1])))) return false;
  // "Yukis phone number" where the phrasings had "{name}'s phone": Yuki's, or someone called Yukis? Unknown.
  if (/s$/i.test(text) && spec.templates.some((t) => t.some((w, i) => w === `{${name}}` && t[i + 1] === "'s" && (t[i + 2] ?? null) === (next ?? null))))
    return false;
  // "Ghanas population" where no phrasing put the value before "population": a possessive typed
  // without its apostrophe (Ghana's) as well as a name (Paris)? Unsure, so no value. Where a
  // phrasing had it there ("{coin} price"), the value names the thing ("tezos price").
  // The word after it is the first after any filler ("Cairos local time": Cairo's time).
  const topic = isFiller(next ?? '') ? (following.find((w) => !isFiller(w)) ?? next) : next;
  if (
    possessiveLike(text) &&
    topic !== undefined &&
    spec.vocabSet.has(topic) &&
    !isFiller(topic) &&
    !SLOT_TIES.includes(topic) &&
    !DIRECTION.includes(topic) &&
    !spec.templates.some((t) => t.some((w, i) => w === `{${name}}` && t[i + 1] === topic)) &&
    !(topic === next && namesKindBefore(spec, name, topic))
  )
    return false;
  const shapes = spec.slotShapes?.[name];
  if (shapes && !shapes.includes(shapeOf(text))) return false;
  // A value the tool's schema does not list is no value of it ("rate of XYZ"): the model answers.
  const oneOf = spec.enums?.get(name);
  const asArgument = (form) => (spec.numbers.has(name) ? Number(text.replace(/,/g, '')) : applyForm(text, form));
  if (oneOf && !oneOf.some(({ values, form }) => values.includes(asArgument(form)))) return false;
  // A number is one value however the words split it ("2.5"): sameCode took only a number here.
  if (spec.numberSlots?.has(name)) return true;
  const seen = spec.seenSlotWords ?? spec.maxSlotWords - 1;
  // One word more only for a place named in two ("New York", "Cape Town" after "Paris").
  return span.length <= seen || (span.length === seen + 1 && seen === 1 && PLACE_FIRST.includes(text.split(/\s+/)[0]) && /^\p{Lu}\S*\s+\p{Lu}/u.test(text));
}

/**
 * The noun a phrasing names the slot's kind with just before the value ("note" of "show my note
 * {title}", "invoice" of "show invoice {name}"). Said right after a value ending in s ("the gifts
 * note", "the hosting invoice") it makes a compound naming the same thing, no possessive: the
 * value is the note's title, as "note gifts" would say. An owned thing ("Ghanas population",
 * "Mias number") has its tie ("of", "'s") before the value in the phrasings, so stays unsure.
 */
function namesKindBefore(spec, name, word) {
  if (isFiller(word) || SLOT_TIES.includes(word) || DIRECTION.includes(word) || DETERMINERS.includes(word) || FUNCTION_WORDS.includes(word)) return false;
  return spec.templates.some((t) => t.some((w, i) => w === word && i > 0 && t[i + 1] === `{${name}}`));
}

/** Verbs too general to say what a request is about: with no other topic word, its value says it. */
export const GENERIC_VERBS = ['need', 'want', 'have', 'get', 'got', 'use', 'make', 'take', 'go', 'do', 'does'];

/**
 * A phrasing with no topic word ("what do I need for {dish}", "when is {movie} on") is asked only
 * by its value: a value its source turns had, or one of the closed kind they all were of
 * (value-kinds.js), says the intent; any other ("what do I need for school") may ask anything.
 */
export function saysIntent(spec, name, text) {
  const kind = spec.kinds?.get(name);
  if (kind !== undefined && kind !== 'any') return true;
  // A code written as the source codes were ("check UX-300" after "show ticket OPS-112") says its kind.
  if (/\d/.test(text) && /\p{L}/u.test(text) && closeCode(spec, name, text)) return true;
  const lower = String(text).toLowerCase();
  return (spec.examples ?? []).some((e) => typeof e.slots?.[name] === 'string' && e.slots[name].toLowerCase() === lower);
}

/** First words of places named in two or more ("New York", "San José"): a second capitalised word after another is a region ("Hobart Tasmania"). */
const PLACE_FIRST = [
  'New',
  'San',
  'Santa',
  'Santo',
  'Los',
  'Las',
  'La',
  'Le',
  'El',
  'Saint',
  'St',
  'St.',
  'Sankt',
  'Cape',
  'Port',
  'Fort',
  'Mount',
  'Lake',
  'Hong',
  'Rio',
  'Buenos',
  'Kuala',
  'Tel',
  'Abu',
  'Ho',
  'Sri',
  'Costa',
  'Puerto',
  'Baton',
  'Palo',
  'Salt',
  'Bad',
];

/** Words that say how or how much, never what: alone, no value ("read my note aloud", "how much is left"). */
const NO_VALUE = ['aloud', 'left', 'else', 'more', 'again', 'instead', 'too', 'anyway', 'everything', 'something', 'stuff'];
/** Words of the intent (intent.js): its time, its polarity, a second request joined to it. */
/** Words no value is, of the closed kinds and beside them, as typed and read singular. */
const REFUSED = [...new Set([...KIND_WORDS, ...KIND_WORDS.map(singular), ...NO_VALUE])];
const INTENT_WORDS = [...NEGATIONS, ...PAST, ...FUTURE, ...JOINS];
/** Articles and possessives: "the scope", "my boss" name a thing in common words, not by its name. */
const ARTICLES = ['a', 'an', 'the', 'this', 'that', 'these', 'those', 'some', 'my', 'your', 'his', 'her', 'our', 'their'];

/**
 * A number slot's text is a plain number standing on its own: digits, English thousands groups
 * ("1,500") and a decimal point. A sign, a currency or a unit glued to it ("-5", "€40", "5km",
 * "10%") or a decimal comma ("40,50") says more than the digits the words hold: the model answers.
 * The same holds for a text slot of numbers (number-slot.js: "message 3"), whose glued unit, if
 * its source values had one, is part of the span: "message $5" or "message 10%" is no "message 5".
 */
export function plainNumber(spec, name, prompt, start, end) {
  const tool = spec.numbers.has(name);
  if (!tool && !spec.numberSlots?.has(name)) return true;
  if (tool && !/^(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$/.test(prompt.slice(start, end))) return false;
  const [before, after, then] = [prompt[start - 1] ?? ' ', prompt[end] ?? ' ', prompt[end + 1] ?? ' '];
  return /\s/.test(before) && (/\s/.test(after) || (/[?.!,;:]/.test(after) && /\s/.test(then)));
}

/**
 * A word that changes the intent is never a slot value, but for a verb typed as a plural noun
 * (the note "books", the list "orders"): no one asks to act with "books".
 */
export function blocksSlot(token, prompt) {
  if (!CONTRAST.includes(token.w)) return false;
  return !(CHANGE_VERBS.includes(token.w) && prompt.slice(token.start, token.end).toLowerCase() !== token.w);
}

/** The span's text is shared with a word beside it (one phrase read as several words: "on-call" as "on call"). */
export function splitsPhrase(toks, start, end) {
  return (start > 0 && toks[start - 1].end > toks[start].start) || (end < toks.length && toks[end].start < toks[end - 1].end);
}

/**
 * The word right before a value in lower-case words was read as another than typed: another ending
 * mended ("reading" read as "read") or a plural read singular ("notes" as "note"); a slip ("invoce")
 * is no word of a value. It may be the value's
 * own first word ("show my note reading list", "show my notes folder"), so where the value starts
 * is unsure. A name or a code ("departures Siegen", "words cv.docx") starts where it is written.
 */
export function unsureStart(toks, start, end, prompt) {
  const before = toks[start - 1];
  if (!before || !/^[\p{Ll}\s]+$/u.test(prompt.slice(toks[start].start, toks[end - 1].end))) return false;
  const typed = prompt.slice(before.start, before.end).toLowerCase();
  return before.mended === true || (typed !== before.w && /^\p{Ll}+$/u.test(typed) && singular(typed) === before.w);
}

/**
 * A value of a closed kind typed as a possessive without its apostrophe, before a word of the
 * phrasings ("mondays calendar", "Perus population", "moneros price"): the value is its owner, where only that is of the slot's
 * kind ("Athens" is no possessive, and a city is of no closed kind, so "Nairobis" stays unsure).
 */
export function ownerOf(spec, name, text, following) {
  const kind = spec.kinds?.get(name);
  if (kind === undefined || kind === 'any' || !possessiveLike(text) || kindOf(text) === kind) return text;
  // Owning a thing the phrasings name ("mondays calendar"); "on mondays" is every monday.
  const owned = following.find((w) => !isFiller(w));
  if (owned === undefined || !spec.vocabSet.has(owned) || SLOT_TIES.includes(owned) || DIRECTION.includes(owned)) return text;
  return kindOf(text.slice(0, -1)) === kind ? text.slice(0, -1) : text;
}

/** Ends as a possessive would without its apostrophe ("Ghanas", "Mias"; not "Swiss"). */
export function possessiveLike(text) {
  return /\p{L}s$/u.test(text) && !/ss$/i.test(text);
}

export function isSlot(token) {
  return token.length > 2 && token[0] === '{' && token[token.length - 1] === '}';
}

/** The fillers that change nothing (a word both a filler and a contrast is a contrast), as a set: asked for every word. */
const PLAIN_FILLERS = new Set(FILLERS.filter((w) => !CONTRAST.includes(w)));

export function isFiller(w) {
  return PLAIN_FILLERS.has(w);
}

/** Words that tie a slot to its phrasing ("recipe for X"): gone when the slot moves ("X recipe"). */
export const SLOT_TIES = ['for', 'of', 'in', 'on', 'at', 'about', 'to', 'from'];

/** Words that say which one of a kind: before a last word, that word is a common noun ("on my mind"). */
export const DETERMINERS = ['a', 'an', 'the', 'my', 'your', 'his', 'her', 'our', 'their', 'this', 'that', 'some'];

/** Words that say which way a value goes: "USD to EUR" is not "EUR to USD". */
export const DIRECTION = ['to', 'from', 'into', 'than', 'vs', 'versus', 'before', 'after'];
