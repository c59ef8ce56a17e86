// How a reflex reads a prompt: words, lower-cased, with contractions spelled out, plurals made
// singular and possessives split off, so that phrasings that differ only in such forms are one.
// Shared by the reflex runtime (compiled into every reflex) and the host's miner and guard: both
// sides must read a prompt the same way. No clock, no randomness. The everyday ways of asking
// for one thing are read as one through the lexicon (lexicon.js).
import { canonical, CHANGE_VERBS, MORE_FILLERS, READ_VERBS } from './lexicon.js';

const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/** Words a user adds without changing what is asked. */
export const FILLERS = [
  'please',
  'pls',
  'hey',
  'hi',
  'hello',
  'thanks',
  'thank',
  'you',
  'could',
  'can',
  'would',
  'kindly',
  'just',
  'ok',
  'okay',
  'so',
  'quick',
  'quickly',
  'me',
  'the',
  'a',
  'an',
  // Asking to be told: "show me", "tell me", "give me", "what is" ask for the same thing; a
  // request that changes something is told apart by its CONTRAST verb, never by these. Verbs that
  // also name an action of their own ("check in", "find a cheaper one", "get me a taxi") are not here.
  'show',
  'tell',
  'display',
  'give',
  'what',
  'is',
  'are',
  'my',
  // The present, which is what a request about the state of things asks for unless it says otherwise.
  'now',
  'currently',
  'doing',
  // "which" asks no more than "what" where nothing else is asked (the intent check holds it to that).
  'which',
  // The grammar of a question, which says nothing of what is asked ("is there", "do I have").
  'do',
  'does',
  'i',
  'it',
  'there',
  'am',
  'be',
  ...READ_VERBS,
  ...MORE_FILLERS,
];

/** Words that change the intent: never a slot value, never ignored. */
export const CONTRAST = [
  'not',
  "don't",
  'dont',
  'never',
  'no',
  'without',
  'except',
  'tomorrow',
  'yesterday',
  'today',
  'tonight',
  'week',
  'month',
  'year',
  'last',
  'next',
  'previous',
  'delete',
  'remove',
  'clear',
  'erase',
  'cancel',
  'create',
  'add',
  'set',
  'update',
  'change',
  'edit',
  'send',
  'write',
  'save',
  'store',
  'undo',
  'rename',
  'move',
  'copy',
  'stop',
  'start',
  'why',
  'how',
  'when',
  'who',
  'average',
  'history',
  'forecast',
  'all',
  'every',
  'tonight',
  ...CHANGE_VERBS,
];

const IS_CONTRACTED = ['what', 'how', 'where', 'who', 'when', 'why', 'it', 'that', 'there', 'here'];
/** Contractions typed without their apostrophe ("whats", "hows"): the same words as with it. */
const BARE_CONTRACTED = { whats: 'what', hows: 'how', wheres: 'where', whos: 'who', whens: 'when', thats: 'that', theres: 'there' };
const NOT_CONTRACTED = {
  "don't": 'do',
  "doesn't": 'does',
  "didn't": 'did',
  "isn't": 'is',
  "aren't": 'are',
  "wasn't": 'was',
  "can't": 'can',
  "won't": 'will',
  "shouldn't": 'should',
};
// The same typed without the apostrophe: a negation all the same.
for (const [w, base] of Object.entries(NOT_CONTRACTED)) NOT_CONTRACTED[w.replace("'", '')] = base;

/** Words that only join others: written in lower case, never a value of a slot ("to" in "what do I have to do"). */
export const FUNCTION_WORDS = [
  ...['a', 'an', 'the', 'to', 'of', 'for', 'in', 'on', 'at', 'by', 'with', 'from', 'as', 'and', 'or', 'if', 'so', 'than', 'then'],
  ...['do', 'does', 'did', 'is', 'are', 'was', 'be', 'been', 'have', 'has', 'had', 'can', 'will', 'would', 'should', 'could'],
  ...['i', 'me', 'my', 'you', 'your', 'we', 'us', 'our', 'he', 'she', 'it', 'they', 'them', 'this', 'that', 'these', 'those'],
  ...['there', 'here', 'what', 'which', 'who', 'how', 'when', 'where', 'why', 'up', 'out', 'too', 'very', 'all', 'any', 'some'],
];

/** Words ending in "s" that are no plural ("news", "status"). */
const NOT_PLURAL = new Set([
  'news',
  // "times" of a film or a bus is no clock's "time".
  'times',
  'this',
  'yes',
  'plus',
  'gas',
  'has',
  'was',
  'does',
  'its',
  'always',
  'lens',
  'series',
  'species',
  'tennis',
  'whereas',
  'perhaps',
]);

/** Plurals of a verb of another act that name a thing ("IBM shares": its stock, never sharing it). */
const PLURAL_NOUNS = { shares: 'stock' };

/** The singular of a plural word ("showtimes" -> "showtime", "batteries" -> "battery"); other words as they are. */
export function singular(w) {
  if (w.length <= 3 || NOT_PLURAL.has(w) || !/^\p{Ll}+$/u.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (/(ss|us|is|ous|ics)$/.test(w)) return w;
  if (/(ches|shes|xes|sses)$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('s')) return w.slice(0, -1);
  return w;
}

/**
 * The prompt's words, lower-cased, with contractions spelled out ("what's" -> "what", "is"),
 * plurals singular, possessives split ("Mia's" -> "mia", "'s"), then in the lexicon's canonical
 * reading ("pull up" -> "show", "package" -> "parcel", "right now" -> "now").
 */
export function words(text) {
  // The host asks every serving reflex about one prompt in turn: read it once.
  if (text === lastText) return lastWords.slice();
  const read = readWords(text);
  lastText = text;
  lastWords = read;
  return read.slice();
}

/** Pronouns that stand as a clause's subject: never owned, so "'s" before one is a contracted "is". */
const SUBJECT_PRONOUNS = ['it', 'there', 'this', 'that', 'he', 'she', 'they', 'we', 'you', 'i'];

let lastText;
let lastWords = [];

function readWords(text) {
  const found = [];
  for (const m of String(text).matchAll(WORD)) {
    const w = m[0].toLowerCase().replace(/’/g, "'");
    const at = { start: m.index, end: m.index + m[0].length };
    if (w.endsWith("'s") && IS_CONTRACTED.includes(w.slice(0, -2))) found.push({ w: w.slice(0, -2), ...at }, { w: 'is', ...at });
    else if (w in BARE_CONTRACTED) found.push({ w: BARE_CONTRACTED[w], ...at }, { w: 'is', ...at });
    else if (w in NOT_CONTRACTED) found.push({ w: NOT_CONTRACTED[w], ...at }, { w: 'not', ...at });
    else if (w.endsWith("'s") && w.length > 2) found.push({ w: w.slice(0, -2), start: at.start, end: at.end - 2 }, { w: "'s", start: at.end - 2, end: at.end });
    // "Times" typed as a name inside a request ("the New York Times") is no film's times.
    else if (w === 'times' && m.index > 0 && m[0][0] === 'T') found.push({ w, ...at, name: true });
    else found.push({ w: PLURAL_NOUNS[w] ?? singular(w), ...at });
  }
  // "what time's it", "where's that box": a thing owns no pronoun, so an "'s" before one is "is".
  for (const [k, t] of found.entries()) if (t.w === "'s" && SUBJECT_PRONOUNS.includes(found[k + 1]?.w)) found[k] = { ...t, w: 'is' };
  return canonical(found);
}
