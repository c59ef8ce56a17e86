// Yes-or-no questions about how far a thing named by its code has got ("has HER2207 arrived yet",
// "is INF-77 done yet", "has DL64 taken off") and who holds it ("who has INF-77", "who's on
// SEC-14", "who is UX-300 assigned to"): they ask the thing's status, which its status answers
// whatever the step asked about, read as "status of X" and "who is working on X"; so do how one's
// own weekday looks ("what does my friday look like": what one has on it). Only the
// whole request: a time, a place or another question beside it ("was X signed for last week",
// "where did X get delivered last time") leaves it as typed. Part of the request lexicon's
// canonical reading (lexicon.js), read before its phrases and synonyms, compiled into every reflex.
import { OPENING } from './question-shape.js';

/** Words that only close the question: the saidClosing, asked anyway, and asking nicely. */
const STATE_CLOSING = ['yet', 'already', 'now', 'right', 'today', 'rn', 'atm', 'currently', 'pls', 'please'];
/** Closing words that say no more than the status does: left out. */
const STATE_UNSAID = ['yet', 'already'];
const STATE_OWNERS = ['my', 'the', 'our'];

/** Steps on the way a thing's status says it has or has not reached, as typed. */
const STATE_STEPS = [
  ['arrived'],
  ['shipped'],
  ['dispatched'],
  ['moved'],
  ['landed'],
  ['departed'],
  ['delivered'],
  ['done'],
  ['finished'],
  ['started'],
  ['resolved'],
  ['taken', 'off'],
  ['picked', 'up'],
  ['out', 'for', 'delivery'],
  ['got', 'a', 'delay'],
];

/** "inf-77", "her2207": letters and digits in one word, a code that names itself. */
const namesItself = (w) => /\d/.test(w) && /\p{L}/u.test(w);

/** The tokens of a step at i ("been" before it, as in "has X been shipped", says nothing more), or 0. */
function stateStepAt(out, i) {
  const from = out[i]?.w === 'been' ? i + 1 : i;
  const step = STATE_STEPS.find((s) => s.every((w, k) => out[from + k]?.w === w));
  return step ? from - i + step.length : 0;
}

/** Only closing words from i on. */
const onlyClosing = (out, i) => out.slice(i).every((t) => STATE_CLOSING.includes(t.w));

/** The closing words that say something of their own ("now", "please"; "yet" goes). */
const saidClosing = (out, i) => out.slice(i).filter((t) => !STATE_UNSAID.includes(t.w));

/** A word standing for the kind of the code ("parcel" of "has parcel HER2207 shipped"): lower-case letters only. */
const kindWordOfCode = (w) => /^\p{Ll}+$/u.test(w) && !['is', 'has', 'have', 'been', 'it', 'there', 'who', 'what', 'someone', 'anyone'].includes(w);

const wordAt = (t, w) => ({ w, start: t.start, end: t.end });

/**
 * "has parcel HER2207 shipped", "is my package HER2207 out for delivery yet", "SEC-14 done yet":
 * read as "status of parcel HER2207"; anything else as it is.
 */
export function stateAsked(out) {
  const opens = out.findIndex((t) => !OPENING.includes(t.w));
  if (opens > 0) return [...out.slice(0, opens), ...stateAsked(out.slice(opens))];
  let i = ['has', 'is'].includes(out[0]?.w) ? 1 : 0;
  if (STATE_OWNERS.includes(out[i]?.w)) i++;
  const kind = kindWordOfCode(out[i]?.w ?? '') && namesItself(out[i + 1]?.w ?? '') ? 1 : 0;
  const code = i + kind;
  if (!namesItself(out[code]?.w ?? '')) return out;
  const step = stateStepAt(out, code + 1);
  if (step === 0 || !onlyClosing(out, code + 1 + step)) return out;
  // Without "has" or "is" only a step that is a state ("SEC-14 done yet?") asks it.
  if (i === 0 && !['done', 'finished', 'resolved'].includes(out[code + 1].w)) return out;
  // Read where the request starts: with no "has" or "is" that is the code, whose letters the words stand apart from.
  const head = i === 0 ? { start: out[0].start, end: out[0].start } : out[0];
  return [wordAt(head, 'status'), wordAt(head, 'of'), ...out.slice(i, code + 1), ...saidClosing(out, code + 1 + step)];
}

/**
 * "who has INF-77", "who is on SEC-14 now", "who is UX-300 assigned to", "has someone taken
 * INF-77 yet": read as "who is working on INF-77"; anything else as it is.
 */
export function holderAsked(out) {
  const opens = out.findIndex((t) => !OPENING.includes(t.w));
  if (opens > 0) return [...out.slice(0, opens), ...holderAsked(out.slice(opens))];
  const ws = out.map((t) => t.w);
  let code = -1;
  let end = -1;
  if (ws[0] === 'who' && ws[1] === 'has') [code, end] = [2, 3];
  else if (ws[0] === 'who' && ws[1] === 'is' && ws[2] === 'on') [code, end] = [3, 4];
  else if (ws[0] === 'who' && ws[1] === 'is' && ws[3] === 'assigned' && ws[4] === 'to') [code, end] = [2, 5];
  else if (ws[0] === 'has' && ['someone', 'anyone', 'anybody', 'somebody'].includes(ws[1]) && ['taken', 'picked'].includes(ws[2])) {
    const up = ws[2] === 'picked' ? (ws[3] === 'up' ? 4 : -1) : 3;
    [code, end] = up < 0 ? [-1, -1] : [up, up + 1];
  }
  if (code < 0 || !namesItself(ws[code] ?? '') || !onlyClosing(out, end)) return out;
  const t = out[0];
  return [wordAt(t, 'who'), wordAt(t, 'is'), wordAt(t, 'working'), wordAt(t, 'on'), out[code], ...saidClosing(out, end)];
}

const STATE_WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/**
 * "what does my friday look like", "how does my monday look", "walk me through my monday", "my
 * sunday looking busy?", "is my friday busy": how one's own weekday looks is what one has on it,
 * read as "what do i have on friday"; anything else (another day, a time beside it) as it is.
 */
export function dayAsked(out) {
  const opens = out.findIndex((t) => !OPENING.includes(t.w));
  if (opens > 0) return [...out.slice(0, opens), ...dayAsked(out.slice(opens))];
  const ws = out.map((t) => t.w);
  const day = ws.indexOf('my') + 1;
  if (day === 0 || !STATE_WEEKDAYS.includes(ws[day])) return out;
  const before = ws.slice(0, day - 1).join(' ');
  const after = ws.slice(day + 1).join(' ');
  const asked =
    (before === 'what does' && after === 'look like') ||
    (before === 'how does' && after === 'look') ||
    (before === 'how is' && ['looking', 'going to look'].includes(after)) ||
    (before === 'walk me through' && after === '') ||
    (before === 'is' && ['busy', 'looking busy', 'full'].includes(after)) ||
    (before === '' && ['looking busy', 'looking', 'busy'].includes(after));
  if (!asked) return out;
  const t = out[0];
  return [wordAt(t, 'what'), wordAt(t, 'do'), wordAt(t, 'i'), wordAt(t, 'have'), wordAt(t, 'on'), out[day]];
}
