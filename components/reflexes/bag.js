// The order-free reading of a request with one slot: its value bound by its shape and kind
// (slot-fit.js), the words around it read as a bag. Every word must be one of the phrasings' own, a
// filler, or a word that only joins others; the words every phrasing shares must be there, and at
// least one topic word of the phrasings (not a word of the question's grammar); and the request must say the intent of one of the
// phrasings (act, time, polarity, joined requests), asked in a way one of the phrasings asked or
// as a plain "what" ("how's ORCL trading" where a phrasing had "what is {symbol} trading"). A
// word no phrasing used still refuses it, so another verb or another object goes to the model.
// Part of the reflex runtime, inlined with it into every generated reflex.
import { ASK_WORDS, AUX_WORDS, intentOf, sameAct, yesNo } from './intent.js';
import { DIRECTION, GENERIC_VERBS, isFiller, SLOT_TIES } from './slot-fit.js';
import { sameTie } from './variants.js';
import { CONTRAST, FUNCTION_WORDS } from './words.js';

const PARTICLES = ['up', 'out', 'off', 'down', 'over', 'away', 'back', 'through'];
/** Words for someone other than the one asking: "what's on your calendar" asks about another's. */
const OTHERS = ['your', 'yours', 'we', 'us', 'our', 'ours', 'he', 'him', 'his', 'she', 'her', 'hers', 'they', 'them', 'their', 'theirs'];
/** Verbs of asking to see or be told: for a read, one stands for another. */
export const SEE_VERBS = ['show', 'tell', 'display', 'give', 'get', 'fetch', 'see', 'view', 'check', 'look', 'find', 'read', 'open', 'pull'];

/**
 * Words that join others or carry the question's grammar; they may be added or left out, but for
 * those that change the intent, say which way ("steps to the station"), make a verb of another
 * act ("free up disk space") or say whose it is ("our todo list", "how many steps has he walked").
 */
const JOINING = new Set(
  FUNCTION_WORDS.filter((w) => !CONTRAST.includes(w) && !ASK_WORDS.includes(w) && !DIRECTION.includes(w) && !PARTICLES.includes(w) && !OTHERS.includes(w)),
);
/** Phrasing words too common to say what is asked on their own ("what's Lisbon like" is no weather request). */
const WEAK = new Set(['like', 'long', 'big', 'old', 'up', 'going', 'out', 'about', 'one', 'say', 'made', 'put', ...GENERIC_VERBS]);

/**
 * The question's kind words a request may use: those of any phrasing, or a plain "what is" or
 * "how is" that asks for the thing's state ("how's ORCL trading"); "what words are in X" asks
 * which, not how many.
 */
function asksAsPhrased(rest, templates) {
  const asked = new Set(templates.flat().filter((w) => ASK_WORDS.includes(w)));
  return rest.every((w, i) => !ASK_WORDS.includes(w) || asked.has(w) || (['what', 'which', 'how'].includes(w) && AUX_WORDS.includes(rest[i + 1] ?? '')));
}

/** The same act, time, polarity, kind of question and no more joined requests than a phrasing (intent.js). */
function sameActAs(rest, template) {
  return sameAct(intentOf(rest), intentOf(template));
}

/**
 * The confidence of the order-free reading (`least`, the lowest that serves), or -1. `rest`: the
 * request's words outside the slot; `templates`: the phrasings the slot's place allows.
 */
export function bagScore(spec, rest, templates, least, unsaid = []) {
  if (templates.length === 0 || !asksAsPhrased(rest, spec.templates)) return -1;
  // The core words (every phrasing's own: "eur" of every way to ask a rate to the euro) are all
  // said, but for a code's kind word, which its shape says.
  const said = (w) => rest.includes(w) || unsaid.includes(w) || isFiller(w) || JOINING.has(w) || SLOT_TIES.includes(w) || ASK_WORDS.includes(w);
  if (!spec.core.every(said)) return -1;
  // A yes-or-no question ("is Passau far") only where a phrasing asked one.
  if (yesNo(rest) && !spec.templates.some(yesNo)) return -1;
  // One verb of asking to see for another ("open invoice june" where the phrasings said "show").
  const sees = spec.vocab.some((w) => SEE_VERBS.includes(w));
  let topical = false;
  for (const w of rest) {
    // "read" asks for what a thing says, which only a phrasing that read it answers ("read my unread emails").
    if (sees && SEE_VERBS.includes(w) && (w !== 'read' || spec.vocabSet.has(w))) continue;
    if (spec.vocabSet.has(w)) {
      if (!isFiller(w) && !JOINING.has(w) && !SLOT_TIES.includes(w) && !ASK_WORDS.includes(w) && !AUX_WORDS.includes(w) && !WEAK.has(w)) topical = true;
    } else if (!isFiller(w) && !JOINING.has(w) && !ASK_WORDS.includes(w) && !AUX_WORDS.includes(w)) return -1;
    // A tie word no phrasing had, of no group of theirs, beside a value: "what's in parcel X" asks what it holds.
    else if (spec.slots.length > 0 && SLOT_TIES.includes(w) && !spec.vocab.some((v) => sameTie(v, w))) return -1;
  }
  return topical && templates.some((t) => sameActAs(rest, t)) ? least : -1;
}
