// The request lexicon: the everyday ways of asking for one thing, each read as one canonical
// form, so that a reflex learned from "show my invoice called april" reads "pull up the invoice
// named march" as the same request. Written here from how people word requests to an assistant
// (not learned from any evaluation set). Shared by the reflex runtime (compiled into every
// reflex) and the host's miner and guard: both sides must read a prompt the same way.
//
// Three kinds of entries:
// - phrases: several words that say one thing ("pull up" is "show", "how many people" is
//   "population", "right now" is "now"); a phrase may also say nothing ("from here");
// - synonyms: one word for another of the same sense in a request ("package" is "parcel");
// - the words that change what is asked (CHANGE_VERBS): another act than reading.
// A canonical form is always a word the other side also reads: a synonym never maps onto a
// word of another sense, and no entry maps a change, a time or a negation away.
import { MORE_PHRASES, MORE_SYNONYMS } from './lexicon-more.js';
import { amountIn, askedAt, keepModal, lengthInWords, openAsFree, peopleAsPopulation, questionOrder, statusAsked, timesShown } from './question-shape.js';
import { dayAsked, holderAsked, stateAsked } from './state-asked.js';

/** Several words meaning one thing: [words, canonical words]. The longest phrase wins. */
const PHRASE_LIST = [
  // Asking to see something: the request frame, read as "show" (a filler).
  ['pull up', 'show'],
  ['bring up', 'show'],
  ['look up', 'show'],
  ['call up', 'show'],
  ['let me see', 'show'],
  ['let me know', 'show'],
  ['let me check', 'show'],
  ['can i see', 'show'],
  ['can i get', 'show'],
  ['could i get', 'show'],
  ['can i have', 'show'],
  ['i want to know', 'show'],
  ['i want to see', 'show'],
  ["i'd like to know", 'show'],
  ["i'd like to see", 'show'],
  ['i would like to know', 'show'],
  ['i would like to see', 'show'],
  ['i need to know', 'show'],
  ['do you know', 'show'],
  ['do you have', 'show'],
  ["i'd like", 'show'],
  ['i would like', 'show'],
  ['quick question', ''],
  ['by the way', ''],
  ['if you can', ''],
  ['when you get a chance', ''],
  ['real quick', ''],
  ['content of', 'show'],
  ['detail of', 'show'],
  ['read out', 'read'],
  ['got any', 'any'],
  ['any idea', 'show'],
  ['find out', 'show'],
  ['tell me about', 'show'],
  ['have a look at', 'show'],
  ['take a look at', 'show'],
  ['look at', 'show'],
  ['check on', 'show'],
  ['check for', 'show'],
  ['open my', 'show my'],
  ['open the', 'show the'],
  // The present, which a request about the state of things means anyway.
  ['right now', 'now'],
  ['at the moment', 'now'],
  ['at present', 'now'],
  ['as of now', 'now'],
  ['as we speak', 'now'],
  ['just now', 'now'],
  ['so far today', 'now'],
  ['so far', 'now'],
  ['up to now', 'now'],
  ['until now', 'now'],
  // Where the user is: implied by a request about distance.
  ['from here', ''],
  ['from my location', ''],
  ['from where i am', ''],
  // Objects named in several words.
  ['to do list', 'todo list'],
  ['to-do list', 'todo list'],
  ['todo list', 'todo list'],
  ['task list', 'todo list'],
  ['to-do', 'todo list'],
  ['todo', 'todo list'],
  ['task', 'todo list'],
  ['on-call', 'on call'],
  ['on duty', 'on call'],
  ['air quality index', 'aqi'],
  ['air pollution', 'air quality'],
  ['pollution level', 'air quality'],
  ['pollution', 'air quality'],
  ['sun rise', 'sunrise'],
  ['sun come up', 'sunrise'],
  ['sun set', 'sunset'],
  ['sun go down', 'sunset'],
  ['sun going down', 'sunset'],
  ['sunrise time', 'sunrise'],
  ['sunset time', 'sunset'],
  ['what time is sunrise', 'when is sunrise'],
  ['what time is sunset', 'when is sunset'],
  ['what time does the sun', 'when does the sun'],
  ['what time is it', 'what time is it'],
  ['what time is', 'when is'],
  ['what time does', 'when does'],
  ['show time', 'showtime'],
  ['show times', 'showtime'],
  ['movie times', 'showtime'],
  ['film times', 'showtime'],
  ['screening times', 'showtime'],
  ['showing of', 'showtime for'],
  ['what time does the sun set', 'when does the sunset'],
  ['what time does the sun rise', 'when does the sunrise'],
  ['word-count', 'word count'],
  ['wordcount', 'word count'],
  ['number of word', 'word count'],
  ['step-count', 'step count'],
  ['number of step', 'step count'],
  ['exchange-rate', 'exchange rate'],
  // "for" a place where the phrasings had "in" (never "time for X": that is no clock).
  ['weather for', 'weather in'],
  ['air quality for', 'air quality in'],
  ['aqi for', 'aqi in'],
  ['sunrise for', 'sunrise in'],
  ['sunset for', 'sunset in'],
  ['rate from', 'rate'],
  ['rate for', 'rate'],
  ['how much is', 'price of'],
  ['how far is it to', 'how far is'],
  ['how far to', 'how far is'],
  ['how long for', 'how long until'],
  ['how long till', 'how long until'],
  ['train departure', 'departure'],
  ['departure board', 'departure'],
  ['train leaving from', 'departure from'],
  ['train leave from', 'departure from'],
  ['train are leaving from', 'departure from'],
  ['train are leaving', 'departure from'],
  ['train leaving', 'departure from'],
  ['train leave', 'departure from'],
  ['train from', 'departure from'],
  ['train out of', 'departure from'],
  ['train departing from', 'departure from'],
  ['train times from', 'departure from'],
  ['train go from', 'departure from'],
  ['leaving from', 'departure from'],
  ['the air in', 'the air quality in'],
  ['the air like in', 'the air quality in'],
  ['smog level', 'air quality'],
  ['meeting room', 'room'],
  ['state of the build', 'build status'],
  ['population size', 'population'],
  ['population count', 'population'],
  ['total population', 'population'],
  ['explain the word', 'definition'],
  ['dictionary definition', 'definition'],
  ['list of todo', 'todo list'],
  ['space on my disk', 'disk space'],
  ['space on the disk', 'disk space'],
  ['space on disk', 'disk space'],
  ['space left on my disk', 'disk space left'],
  ['from me', ''],
  ['from my place', ''],
  ['status of the build', 'build status'],
  ['status of build', 'build status'],
  ['hard drive space', 'disk space'],
  ['drive space', 'disk space'],
  ['storage space', 'disk space'],
  ['storage', 'disk space'],
  ['share price', 'stock price'],
  ['stock quote', 'stock price'],
  ['e-mail', 'email'],
  ['e-mails', 'email'],
  ['how many people live in', 'population in'],
  ['how many people living in', 'population in'],
  ['how many people are living in', 'population in'],
  ['how many people are there in', 'population in'],
  ['how many people are in', 'population in'],
  ['how many people in', 'population in'],
  ['how many people', 'population'],
  ['number of people in', 'population in'],
  ['number of people', 'population'],
  ['define the word', 'definition'],
  ['of the word', 'of'],
  ['does the word', 'does'],
  ['need to make', 'need for'],
  ['need to cook', 'need for'],
  ['ingredient for', 'recipe for'],
  ['ingredient of', 'recipe for'],
  ['how to make', 'recipe for'],
  ['how to cook', 'recipe for'],
  ['how do i make', 'how do i cook'],
  ['how do you make', 'how do i cook'],
  ['how do you cook', 'how do i cook'],
  ['how can i make', 'how do i cook'],
  ['how can i cook', 'how do i cook'],
  ['have i got', 'do i have'],
  ['what am i doing', 'what do i have'],
  ['what is planned', 'what do i have'],
  ['what meeting do i have', 'what do i have'],
  ['i need the', 'show the'],
  ['i need my', 'show my'],
  ['in the dictionary', 'definition'],
  ['how many people does', 'population of'],
  ["i've got", 'i have'],
  ['ci pipeline', 'build'],
  ['new email', 'unread email'],
  ['new mail', 'unread email'],
  ['for me', ''],
  ['check in', 'checkin'],
  ['check out', 'checkout'],
  ['ci build', 'build'],
  ...MORE_PHRASES,
];

/** One word for another of the same sense in a request (after plurals are made singular). */
export const SYNONYMS = {
  named: 'called',
  titled: 'called',
  entitled: 'called',
  labelled: 'called',
  labeled: 'called',
  package: 'parcel',
  shipment: 'parcel',
  delivery: 'parcel',
  agenda: 'calendar',
  schedule: 'calendar',
  diary: 'calendar',
  mobile: 'phone',
  cell: 'phone',
  cellphone: 'phone',
  telephone: 'phone',
  kilometer: 'km',
  kilometre: 'km',
  kms: 'km',
  screening: 'showtime',
  meaning: 'definition',
  define: 'definition',
  inhabitant: 'people',
  resident: 'people',
  temperature: 'weather',
  temp: 'weather',
  sundown: 'sunset',
  sunup: 'sunrise',
  issue: 'ticket',
  ci: 'build',
  pipeline: 'build',
  charge: 'battery',
  percentage: 'level',
  percent: 'level',
  mail: 'email',
  inbox: 'email',
  available: 'free',
  vacant: 'free',
  unoccupied: 'free',
  euro: 'eur',
  state: 'status',
  playing: 'showing',
  coming: 'come',
  till: 'until',
  contain: 'have',
  citizen: 'people',
  prepare: 'cook',
  remaining: 'left',
  availability: 'free',
  upcoming: 'next',
  green: 'passing',
  current: 'now',
  today: 'now',
  presently: 'now',
  ...MORE_SYNONYMS,
};

/** Words that ask to see or be told, whatever follows: read as the asking frame (fillers). */
export const READ_VERBS = ['get', 'fetch', 'see', 'view', 'check', 'look', 'know', 'wondering', 'wonder', 'curious', 'find'];

/** Other words a request adds without changing what it asks: "any" unread emails, the "local" time. */
export const MORE_FILLERS = [
  'any',
  'local',
  'again',
  'mate',
  'buddy',
  'real',
  'actually',
  'exactly',
  'looking',
  'called',
  'anything',
  'latest',
  'total',
  'station',
  'btw',
  'plz',
  'thx',
  'u',
];

/** Verbs of acts other than reading: a request with one of them is never a read's reflex unless its phrasings had it. */
export const CHANGE_VERBS = [
  'archive',
  'book',
  'buy',
  'sell',
  'order',
  'reset',
  'reply',
  'forward',
  'print',
  'download',
  'upload',
  'pay',
  'approve',
  'reject',
  'close',
  'reopen',
  'assign',
  'remind',
  'mute',
  'unmute',
  'turn',
  'switch',
  'enable',
  'disable',
  'install',
  'call',
  'text',
  'mark',
  'snooze',
  'post',
  'publish',
  'restore',
  'submit',
  'merge',
  'deploy',
  'restart',
  'kill',
  'lock',
  'unlock',
  'block',
  'subscribe',
  'unsubscribe',
  'invite',
  'accept',
  'decline',
  'transfer',
  'convert',
  'translate',
  'return',
  'refund',
  'reserve',
  'rebook',
  'share',
  'improve',
  'compare',
  'predict',
  'estimate',
  'plan',
  'pause',
  'resume',
  'rerun',
  'retry',
  'trigger',
  'fix',
  'checkin',
  'checkout',
];

/** Words that close a question without asking anything. */
const CLOSING = ['have', 'got', 'at'];

/** The phrases by their first word, longest first. */
const PHRASES = new Map();
for (const [from, to] of PHRASE_LIST) {
  const words = from.split(' ');
  const list = PHRASES.get(words[0]) ?? [];
  list.push({ words, to: to === '' ? [] : to.split(' ') });
  list.sort((a, b) => b.words.length - a.words.length);
  PHRASES.set(words[0], list);
}

/**
 * Tokens ({ w, start, end }) in their canonical reading: phrases replaced (the replacement's
 * tokens span the phrase's text), then single-word synonyms; twice, so that a phrase is found in
 * words a synonym gave ("how many inhabitants" -> "how many people" -> "population"). Slot
 * markers ("{city}") pass as they are.
 */
export function canonical(tokens) {
  const out = peopleAsPopulation(
    openAsFree(lengthInWords(statusAsked(timesShown(amountIn(askedAt(pass(pass(keepModal(dayAsked(holderAsked(stateAsked(questionOrder(tokens))))))))))))),
  );
  // "how many inhabitants does Nepal have", "... has it got", "what's ORCL at (now)": a closing
  // "have", "got" or "at" only carries the question's grammar.
  const closing = () => out.length > 1 && CLOSING.includes(out[out.length - 1].w);
  if (out.length > 2 && out[out.length - 1].w === 'now' && out[out.length - 2].w === 'at') out.splice(-2, 1);
  while (closing()) out.pop();
  return out;
}

function pass(tokens) {
  const out = [];
  for (let i = 0; i < tokens.length; i++) {
    // A modal the question asks with (question-shape.js) opens no phrase: "what time can I see X" is no "show".
    const phrase = tokens[i].modal ? undefined : PHRASES.get(tokens[i].w)?.find((p) => p.words.every((w, k) => tokens[i + k]?.w === w));
    if (phrase) {
      const span = { start: tokens[i].start, end: tokens[i + phrase.words.length - 1].end };
      for (const w of phrase.to) out.push({ w: SYNONYMS[w] ?? w, ...span });
      i += phrase.words.length - 1;
      continue;
    }
    const w = tokens[i].w;
    out.push(w in SYNONYMS ? { ...tokens[i], w: SYNONYMS[w] } : tokens[i]);
  }
  return out;
}

/** A list of words (a stored template, a vocabulary) in its canonical reading. */
export function canonicalWords(list) {
  return canonical(list.map((w) => ({ w, start: 0, end: 0 }))).map((t) => t.w);
}
