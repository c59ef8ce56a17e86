// How a question is put, read into the order and words of the question it asks: a question asked
// inside another ("tell me how many steps I have taken") in its own order, and "what's ORCL at" as
// the price it asks. Part of the request lexicon's canonical reading (lexicon.js), compiled into
// every reflex and used by the host's miner and guard alike.

const ASKING = ['what', 'which', 'how', 'when', 'where', 'who', 'whether', 'if'];
const SUBJECTS = ['i', 'it', 'you', 'we', 'they', 'he', 'she', 'there'];
const AUXILIARIES = ['is', 'are', 'am', 'have', 'has', 'was', 'were', 'do', 'does', 'did', 'can', 'will'];

/**
 * A question asked inside another ("tell me how many steps I have taken", "do you know what time
 * it is in Oslo") is in the order of a statement: read in the order of the question it asks
 * ("how many steps have I taken"). Only a pronoun's verb is moved, only after a word that asks
 * and where no verb came before the pronoun.
 */
export function questionOrder(tokens) {
  const asks = tokens.findIndex((t) => ASKING.includes(t.w));
  if (asks < 0) return tokens;
  const out = tokens.slice();
  for (let i = asks + 1; i + 1 < out.length; i++) {
    // A verb before the pronoun: the question is in its own order already ("how far is it to ...").
    if (AUXILIARIES.includes(out[i].w)) return out;
    if (!SUBJECTS.includes(out[i].w) || !AUXILIARIES.includes(out[i + 1].w)) continue;
    [out[i], out[i + 1]] = [out[i + 1], out[i]];
    return out;
  }
  return out;
}

/** Verbs that say what may, can or should be, not how a thing is. */
const MODALS = ['can', 'could', 'should', 'would', 'must', 'might', 'may', 'ought'];
/** Words that ask a question (as ASKING, without the "whether" of a question asked inside another). */
const WH = ['what', 'which', 'how', 'when', 'where', 'who', 'whose', 'why'];

/**
 * Where a modal verb after the word that asks makes the question one of what may, can or should
 * be ("who should work on X", "what time can I see X", "how many words can X have"): its index in
 * the words, or -1. "how can I" asks a way to do something (intent.js reads it so), "what can you"
 * asks the one answering to tell, and "may" is a modal only before the one it is of ("in may 5").
 */
export function modalAt(ws) {
  const asks = ws.findIndex((w) => WH.includes(w));
  if (asks < 0) return -1;
  for (let i = asks + 1; i < ws.length; i++) {
    if (!MODALS.includes(ws[i]) || ws[i - 1] === 'how' || ws[i + 1] === 'you') continue;
    if (ws[i] === 'may' && !SUBJECTS.includes(ws[i + 1])) continue;
    return i;
  }
  return -1;
}

/**
 * The modal verb of such a question is kept as typed (marked `modal`): a polite frame that opens
 * with it ("can I see" read as "show") would read the question away.
 */
export function keepModal(tokens) {
  const at = modalAt(tokens.map((t) => t.w));
  return at < 0 ? tokens : tokens.map((t, i) => (i === at ? { ...t, modal: true } : t));
}

/** Words a request may open with that ask nothing (also read by state-asked.js and verb-first.js). */
export const OPENING = ['ok', 'okay', 'so', 'hey', 'hi', 'hello', 'please', 'pls', 'yo', 'and'];
/** How a question that asks where a thing stands in price ends: "... at", "... going for". */
const STANDS_AT = [['going', 'for'], ['at', 'now'], ['at']];

/**
 * "what's ORCL at", "what is tezos going for": a "what is" question of a name or two, closed by
 * where the thing stands, asks its price ("what is tezos" asks what it is). A thing named with
 * "my" or "the" ("what's my battery at": its level), a time or another question word inside
 * ("what time is the film at", "what was ORCL at") make it another question; "trading at" says
 * it already.
 */
export function askedAt(out) {
  // Said after a word that opens nothing ("ok whats tezos at now").
  const opens = out.findIndex((t) => !OPENING.includes(t.w));
  if (opens > 0) return [...out.slice(0, opens), ...askedAt(out.slice(opens))];
  const ws = out.map((t) => t.w);
  if (ws[0] !== 'what' || ws[1] !== 'is') return out;
  const closer = STANDS_AT.find((c) => c.length < ws.length - 2 && c.every((w, i) => ws[ws.length - c.length + i] === w));
  if (!closer) return out;
  const asked = ws.slice(2, ws.length - closer.length);
  const other = ['what', 'which', 'how', 'when', 'where', 'who', 'time', 'price', 'trading', 'my', 'the', 'your', 'our', 'this', 'that'];
  if (asked.length === 0 || asked.length > 2 || asked.some((w) => other.includes(w))) return out;
  const at = out[out.length - closer.length];
  return [...out.slice(0, out.length - closer.length), { w: 'price', start: at.start, end: out[out.length - 1].end }];
}

/** Words that join an amount to what it is of: "how many euros is one AUD", "... for one AUD". */
const AMOUNT_JOINS = ['is', 'are', 'for', 'in'];

/**
 * "how many euros is one AUD", "how much in eur is a SEK": the price of one of the thing in the
 * unit asked first, read in the order of the question it asks ("one AUD to eur"), so the unit
 * stays on its side ("how much is 1 euro in CAD" keeps "eur" before the value and is another rate).
 */
export function amountIn(out) {
  const ws = out.map((t) => t.w);
  if (ws[0] !== 'how' || (ws[1] !== 'many' && ws[1] !== 'much')) return out;
  const unitAt = ws[2] === 'in' ? 3 : 2;
  const unit = ws[unitAt];
  if (unit === undefined || SUBJECTS.includes(unit) || ASKING.includes(unit) || AMOUNT_JOINS.includes(unit) || unit === 'one') return out;
  if (!AMOUNT_JOINS.includes(ws[unitAt + 1]) || ws[unitAt + 2] !== 'one' || out.length < unitAt + 4) return out;
  const at = (t, w) => ({ w, start: t.start, end: t.end });
  // The moved words stand after the last one typed, so no span reads across them.
  const end = { start: out[out.length - 1].end, end: out[out.length - 1].end };
  return [at(out[0], 'price'), at(out[1], 'of'), ...out.slice(unitAt + 2), at(end, 'to'), at(end, unit)];
}

/** Words before "times" that make it a count or a clock ("how many times", "what times"), not a film's times. */
const NOT_SHOWN = ['many', 'what', 'which', 'how', 'the', 'of', 'at', 'some', 'few', 'bus', 'train', 'opening', 'closing'];

/**
 * "Conclave times", "Anora times now": a name followed by "times" at the end of a request asks
 * when it is shown, as "showtimes" says ("times" alone is no plural of the clock's "time"); "Times"
 * written as a name ("New York Times") is not.
 */
export function timesShown(out) {
  let k = out.length - 1;
  while (k > 0 && out[k].w === 'now') k--;
  if (k < 1 || out[k].w !== 'times' || out[k].name === true || NOT_SHOWN.includes(out[k - 1].w)) return out;
  return out.map((t, i) => (i === k ? { ...t, w: 'showtime' } : t));
}

/** Verbs that close "how is X ..." as a question of how the thing is getting on. */
const GETTING_ON = ['going', 'doing', 'looking', 'coming'];

/**
 * "hows SEC-14 going", "how is DL64 doing", "hows EK9 looking": how a thing of one or two words
 * is getting on is its status ("status of SEC-14"); more words after the verb ask another thing.
 */
export function statusAsked(out) {
  const opens = out.findIndex((t) => !OPENING.includes(t.w));
  if (opens > 0) return [...out.slice(0, opens), ...statusAsked(out.slice(opens))];
  let end = out.length;
  while (end > 0 && out[end - 1].w === 'now') end--;
  if (out[0]?.w !== 'how' || out[1]?.w !== 'is' || end < 4 || end > 5 || !GETTING_ON.includes(out[end - 1].w)) return out;
  const thing = out.slice(2, end - 1);
  if (thing.some((t) => ASKING.includes(t.w) || SUBJECTS.includes(t.w))) return out;
  return [{ ...out[0], w: 'status' }, { ...out[1], w: 'of' }, ...thing, ...out.slice(end)];
}

/**
 * "how long is essay.txt in words", "length of story.txt in words", "essay.txt word wise": a text's
 * length in words is its word count ("word count of essay.txt"); in pages or another measure it is not.
 */
export function lengthInWords(out) {
  const ws = out.map((t) => t.w);
  const tail = ws.at(-1) === 'roughly' ? 1 : 0;
  const n = ws.length - tail;
  const unit = ws[n - 2] === 'in' && ws[n - 1] === 'word' ? 2 : ws[n - 2] === 'word' && ws[n - 1] === 'wise' ? 2 : 0;
  if (unit === 0) return out;
  const head = ws[0] === 'how' && ws[1] === 'long' && ws[2] === 'is' ? 3 : ws[0] === 'length' && ws[1] === 'of' ? 2 : 0;
  if (head === 0 || n - unit <= head) return out;
  const at = (t, w) => ({ w, start: t.start, end: t.end });
  return [at(out[0], 'word'), at(out[1], 'count'), at(out[head - 1], 'of'), ...out.slice(head, n - unit)];
}

/**
 * "is room Harbor open", "Granite open now?": a thing "open" at the end of a request is free to
 * use; "open" first asks to see a thing ("open my note", read by the lexicon).
 */
export function openAsFree(out) {
  let k = out.length - 1;
  while (k > 0 && out[k].w === 'now') k--;
  if (k < 1 || out[k].w !== 'open') return out;
  return out.map((t, i) => (i === k ? { ...t, w: 'free' } : t));
}

/** "Nepal inhabitants", "Latvia people": a place's people named last are its population; "how many people" is read by the lexicon. */
export function peopleAsPopulation(out) {
  const k = out.length - 1;
  if (k < 1 || out[k].w !== 'people' || ['many', 'the', 'of', 'for', 'to', 'with', 'some', 'my', 'our'].includes(out[k - 1].w)) return out;
  return out.map((t, i) => (i === k ? { ...t, w: 'population' } : t));
}
