// The intent check: besides its topic words, a request has an act (reading, or changing
// something), a time (the present, the past, the future), a polarity (negated or not), a number
// of requests joined in one ("... and delete it"), and a kind of question (what, when, how many).
// A reflex answers a prompt only when the words around its slots say the same intent as one of
// its phrasings; the topic words are checked by the runtime. No clock, no randomness.
import { CHANGE_VERBS } from './lexicon.js';
import { modalAt } from './question-shape.js';

/** The words that ask (interrogatives): which one changes what is asked ("how many words" is no "what words"). */
export const ASK_WORDS = ['what', 'which', 'how', 'when', 'where', 'who', 'whose', 'why', 'much', 'many'];
/** Words that carry the question's grammar only: absent or present, the request is the same. */
export const AUX_WORDS = ['do', 'does', 'is', 'are', 'am', 'i', 'it', 'there', 'you', 'can', 'be'];
/** Asking words that mean no more than "tell me": allowed where a phrasing asked no question ("what is the status of X" for "status of X"). */
const PLAIN_ASK = ['what', 'which'];
/** Asking for an amount: allowed where a phrasing named the amount without asking ("km to X"). */
const AMOUNT_ASK = ['how', 'much', 'many'];

export const NEGATIONS = ['not', 'never', 'no', 'without', 'except', 'nobody', 'nothing', 'none', 'neither', 'nor'];
export const PAST = ['was', 'were', 'did', 'had', 'yesterday', 'ago', 'previous', 'previously', 'earlier', 'last'];
export const FUTURE = ['will', 'tomorrow', 'tonight', 'gonna', 'later', 'soon', 'shall'];
/** Words that open a yes/no question ("is X a word"): another kind of question than "how many words in X". */
const YES_NO = ['is', 'are', 'am', 'was', 'were', 'do', 'does', 'did', 'has', 'have', 'had'];
/** Words said before a request that open nothing. */
const OPENERS = ['please', 'pls', 'hey', 'hi', 'hello', 'ok', 'okay', 'so', 'quick', 'and'];

export function yesNo(ws) {
  return YES_NO.includes(ws.find((w) => !OPENERS.includes(w)) ?? '');
}

/** Words that join a second request to the first. */
export const JOINS = ['and', 'then', 'also', 'plus', 'afterwards', 'or', 'but'];

const CHANGES = new Set(CHANGE_VERBS);

function count(ws, list) {
  let n = 0;
  for (const w of ws) if (list.includes(w)) n++;
  return n;
}

/**
 * "when will the next M41 come", "when will my parcel arrive": asking when the next one comes,
 * which a present "when does" asks too ("what will the weather be" is a forecast: the future).
 */
function nextWhen(ws) {
  return ws.includes('when') && ws.indexOf('when') < ws.indexOf('will');
}

/**
 * The measure asked of the thing itself ("long" of "how long is the M41 bus": the ride's length),
 * or '': "how long until the M41 bus" asks the time to it, another question with the same words.
 */
function measureOf(ws) {
  const at = ws.indexOf('how');
  const [adjective, verb] = [ws[at + 1], ws[at + 2]];
  if (at < 0 || adjective === undefined || YES_NO.includes(adjective) || AUX_WORDS.includes(adjective)) return '';
  return ['is', 'are', 'was', 'were'].includes(verb) ? adjective : '';
}

/** Asking how to do something ("how do I get on call", "how to cook X"), not how a thing is. */
function asksMethod(ws) {
  return ws.some((w, i) => w === 'how' && ['do', 'does', 'can', 'could', 'should', 'would', 'to'].includes(ws[i + 1]));
}

/** Asking what a kind of thing is ("what is a ci build", "what's an aqi"): a definition, not a thing's state. */
function asksKind(ws) {
  return ws.some((w, i) => w === 'what' && ['is', 'are'].includes(ws[i + 1]) && ['a', 'an'].includes(ws[i + 2]));
}

/** What a list of words says beside its topic. */
export function intentOf(ws) {
  return {
    negated: count(ws, NEGATIONS) > 0,
    tense: count(ws, PAST) > 0 ? 'past' : count(ws, FUTURE) > count(ws, ['will']) || (ws.includes('will') && !nextWhen(ws)) ? 'future' : 'present',
    joins: count(ws, JOINS),
    changes: ws
      .filter((w) => CHANGES.has(w))
      .sort()
      .join(' '),
    why: ws.includes('why'),
    measure: measureOf(ws),
    method: asksMethod(ws),
    kind: asksKind(ws),
    // "who should work on X", "how many words can X have": what may or should be, not what is.
    modal: modalAt(ws) >= 0,
  };
}

/** "when is the next train from X" for "next trains from X": the next one's time is what the list of the next ones says. */
export function asksWhenNext(rest, template) {
  return rest.includes('when') && rest.includes('next') && template.includes('next') && !template.some((w) => ASK_WORDS.includes(w));
}

/** Two readings (intentOf) say the same act, time, polarity, reason-asking, measure, method-, kind- and modal-asking, with no more joined requests than the second. */
export function sameAct(a, b) {
  return (
    a.negated === b.negated &&
    a.tense === b.tense &&
    a.joins <= b.joins &&
    a.changes === b.changes &&
    a.why === b.why &&
    a.measure === b.measure &&
    a.method === b.method &&
    a.kind === b.kind &&
    a.modal === b.modal
  );
}

/** A template's intent, read once (templates are the spec's own arrays, kept while it lives). */
const TEMPLATE_INTENTS = new WeakMap();

/**
 * The words of a prompt outside its slots (`rest`) say the intent of a phrasing (`template`):
 * the same act, time, polarity, reason-asking, measure ("how long is") and method-asking ("how do I"), no more joined requests, and every asking word
 * the phrasing's own (or a plain "what" where the phrasing asked nothing).
 */
export function sameIntent(rest, template) {
  const a = intentOf(rest);
  let b = TEMPLATE_INTENTS.get(template);
  if (!b) {
    b = intentOf(template);
    TEMPLATE_INTENTS.set(template, b);
  }
  if (!sameAct(a, b)) return false;
  if (yesNo(rest) && !yesNo(template)) return false;
  const asked = template.filter((w) => ASK_WORDS.includes(w));
  // "how many km to X" for "km to X": asking for the amount a phrasing named without asking.
  const amount = rest.includes('how') && (rest.includes('much') || rest.includes('many'));
  const whenNext = asksWhenNext(rest, template);
  for (const w of rest) {
    if (!ASK_WORDS.includes(w) || asked.includes(w) || asked.length > 0) continue;
    if (!(PLAIN_ASK.includes(w) || (amount && AMOUNT_ASK.includes(w)) || (whenNext && w === 'when'))) return false;
  }
  return asked.length === 0 || rest.every((w) => !ASK_WORDS.includes(w) || asked.includes(w));
}
