// A request followed by a remark ("weather Lisbon rn, driving there after lunch", "wordcount
// cv.docx please, whole thing"): the last clause, set apart by a comma, a question mark, a colon
// or a dash, says why one asks or how much of the answer one wants, not another thing to answer.
// Part of the reflex runtime (runtime.js), inlined with it into every generated reflex.
import { changes, splitsClauses } from './aside.js';
import { sameIntent } from './intent.js';
import { FUNCTION_WORDS } from './words.js';
import { isFiller } from './slot-fit.js';

/** The most words a remark has: a longer clause may say a request of its own. */
const MAX_REMARK = 6;

/** How much of the answer is wanted: all of it, or its number to the digit or about (the answer says it whole). */
const EXTENT = ['whole', 'full', 'entire', 'complete', 'exact', 'exactly', 'rough', 'roughly', 'approx', 'approximately', 'overall'];
/** What the whole of the answer is called after EXTENT ("whole thing", "full day"): no other thing. */
const WHOLE_OF = ['thing', 'lot', 'file', 'doc', 'document', 'text', 'list', 'page'];

/** Verbs in -ing that join a condition to the request ("using tofu", "including wind"): they change what is asked. */
const ING_JOINS = [
  'using',
  'including',
  'excluding',
  'regarding',
  'concerning',
  'starting',
  'ending',
  'following',
  'according',
  'assuming',
  'comparing',
  'during',
];
/** Words opening a clause about the one asking: a first person, or a need ("need it now", "want to phone mum"). */
const ABOUT_ME = ['i', "i'm", 'im', 'we', "we're", 'need', 'want', 'wanna'];
/** Verbs of going somewhere: "going to X" names a place, which may be what is asked of ("trains ..., going to fulda"). */
const GOING = ['going', 'heading', 'driving', 'flying', 'travelling', 'traveling', 'walking', 'moving', 'coming', 'off'];
/** Ways of travelling: said alone after a distance or a time, they may ask it by that way. */
const TRAVEL = ['walking', 'driving', 'cycling', 'biking', 'flying', 'riding', 'running', 'hiking', 'commuting', 'sailing'];
/** Where one goes that names no value: "there" (the value itself), home, work. */
const NO_PLACE = ['there', 'home', 'work'];

/** Owners: a thing named as someone's ("my tezos", "my shares") is another thing than the one asked about. */
export const OWNERS = ['my', 'your', 'our', 'his', 'her', 'their'];
/** Words of wishing: "need it now" and "want to phone mum" say why one asks; "need a synonym" asks. */
const WISH = ['need', 'want', 'wanna', 'like'];
/** Verbs of being told, after a wish to: "want to know the plural" asks. */
const TOLD = ['know', 'see', 'check', 'find', 'get', 'hear', 'learn', 'read', 'show', 'tell', 'ask'];

/**
 * The remark says how much of the answer is wanted, in the reflex's own words and words of extent
 * only ("whole thing", "roughly", "trains" after "departures Worms"), asking nothing a phrasing
 * did not ask (intent.js: no other question, time, negation, act or second request).
 */
function restates(spec, remark, typed) {
  const ws = remark.map((t) => t.w);
  // "my shares" after "price of AAPL" may ask what one holds.
  if (typed.some((w) => OWNERS.includes(w))) return false;
  for (const [k, w] of ws.entries()) {
    if (isFiller(w) || FUNCTION_WORDS.includes(w) || spec.vocabSet.has(w) || spec.units.has(w) || EXTENT.includes(w)) continue;
    if (WHOLE_OF.includes(w) && EXTENT.includes(ws[k - 1])) continue;
    return false;
  }
  if (ws.some((w) => changes(w) && !spec.vocabSet.has(w))) return false;
  return spec.templates.some((t) => sameIntent(ws, t));
}

/**
 * The remark is about the one asking ("driving there after lunch", "i lose track", "want to
 * phone mum", "picking up my boss"): opened by a first person, a need or a verb in -ing that
 * joins no condition, holding no word of the request, nothing that changes the intent, and no
 * place one goes to but the value's own ("flying to lisbon" may be what a list is filtered by).
 */
function aboutMe(spec, remark, typed) {
  const first = typed[0];
  // A way of travelling alone ("walking", "driving") says how, which may change the measure asked.
  const doing = /^\p{Ll}{3,}ing$/u.test(first) && !ING_JOINS.includes(first) && !(remark.length === 1 && TRAVEL.includes(first));
  if (!ABOUT_ME.includes(first) && !doing) return false;
  for (const [k, t] of remark.entries()) {
    if ((spec.vocabSet.has(t.w) && !isFiller(t.w)) || changes(t.w) || ING_JOINS.includes(typed[k])) return false;
    // "i need a synonym", "want to know the plural": a wish of something else, or to be told it, is a request of its own.
    if (WISH.includes(typed[k]) && !(typed[k + 1] === 'to' && !TOLD.includes(typed[k + 2] ?? '')) && !remark.slice(k + 1).every((r) => isFiller(r.w)))
      return false;
    const going = GOING.includes(typed[k - 1]) && ['to', 'into', 'towards', 'for'].includes(typed[k]);
    if (going && !NO_PLACE.includes(typed[k + 1]) && !FUNCTION_WORDS.includes(typed[k + 1] ?? '')) return false;
  }
  return true;
}

/** Verbs asking to see a thing, as typed; what may follow "it" in such a remark ("bring it up on screen", "read it out to me"). */
const SEE_IT = ['show', 'read', 'bring', 'pull', 'put', 'display', 'open', 'view'];
const SEE_IT_AFTER = ['up', 'out', 'off', 'to', 'me', 'on', 'screen', 'here', 'please', 'pls', 'now'];

/** The remark asks again to see what the request named ("bring it up on screen", "read it off"): nothing more. */
function seeIt(typed) {
  return SEE_IT.includes(typed[0]) && ['it', 'them'].includes(typed[1]) && typed.slice(2).every((w) => SEE_IT_AFTER.includes(w));
}

/**
 * The remark names again the kind of thing the value is ("the flight my dad is on", "the package
 * i ordered"): a determiner and the phrasings' own words, then at most a clause about the one
 * asking (aboutMe), whose words of grammar may be the phrasings' too ("on").
 */
function kindAgain(spec, remark, typed) {
  // "my shares" may ask what one holds: only "the" names the thing asked about.
  if (typed[0] !== 'the') return false;
  let k = 1;
  while (k < remark.length && spec.vocabSet.has(remark[k].w) && !isFiller(remark[k].w) && !FUNCTION_WORDS.includes(remark[k].w)) k++;
  if (k === 1) return false;
  if (k === remark.length) return true;
  const clause = remark.slice(k);
  if (!['i', "i'm", 'im', 'my', 'we'].includes(typed[k])) return false;
  return clause.every((t) => FUNCTION_WORDS.includes(t.w) || (!spec.vocabSet.has(t.w) && !changes(t.w)));
}

/**
 * The words of the request without its last clause where that clause is a remark, or null. A
 * remark has at most six words, none a name, code or number as typed (a second value: "the code
 * on my receipt" is no remark of "flight status X"), and no possessive ("my wife's").
 */
export function withoutRemark(spec, toks, prompt) {
  let end = -1;
  for (let k = toks.length - 1; k > 0; k--)
    if (splitsClauses(prompt, toks[k - 1], toks[k])) {
      end = k;
      break;
    }
  if (end <= 0 || toks.length - end > MAX_REMARK) return null;
  const remark = toks.slice(end);
  const typed = remark.map((t) => prompt.slice(t.start, t.end).toLowerCase());
  for (const [k, t] of remark.entries()) {
    const as = prompt.slice(t.start, t.end);
    if (/\d/.test(as) || (/\p{Lu}/u.test(as) && !['i', "i'm"].includes(typed[k])) || t.w === "'s") return null;
  }
  return restates(spec, remark, typed) || aboutMe(spec, remark, typed) || seeIt(typed) || kindAgain(spec, remark, typed) ? toks.slice(0, end) : null;
}
