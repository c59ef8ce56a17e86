// The reflex runtime: every generated reflex is this code plus the spec the miner extracted (the
// compiler inlines both into one guest source); how a match becomes tool calls and an answer is
// answer.js. The host imports the same file to measure
// precision and recall without building. No clock, no randomness: the same prompt always gives
// the same match.
//
// match: the prompt is split into words; for each phrasing seen in the source turns (a template
// such as ["what's", "the", "weather", "in", "{city}"]) the slot spans are found between their
// neighbouring words, and the remaining words must (1) contain every core word (the words every
// phrasing shares), (2) hold no word the phrasings never used apart from a few fillers, and (3)
// hold no intent-changing word (negations, times, verbs of another intent), and (4) say the same
// intent as the template (intent.js: act, time, polarity, joined requests, kind of question).
// Prompt and templates are read through the lexicon (lexicon.js), so "pull up the invoice named
// march" is read as "show the invoice called march". Confidence is 0.5 plus half the Jaccard
// overlap of the remaining words with the template's topic words (1.0: a seen phrasing); how the
// question is put ("how many km to X", "km to X") counts only when the template has no topic word.

import { asksWhenNext, sameIntent } from './intent.js';
import { CONTRAST, FILLERS, FUNCTION_WORDS, singular, words } from './words.js';
import { closeCode, mendSenses, sameTie, swapTies, TIES } from './variants.js';
import { mendTypos } from './typos.js';
import { answerFrom, executeOnHost, render, toolInputs } from './answer.js';
import { bagScore, SEE_VERBS } from './bag.js';
import { readFlags } from './flags.js';
import { withoutAside } from './aside.js';
import { OWNERS, withoutRemark } from './remark.js';
import { reachedFirst } from './verb-first.js';
import { isFrame, readSpec, requiredWords } from './spec.js';
import { codeLike, kindSaidByCode, kindWords, seenValue } from './kind-said.js';
import { kindOf } from './value-kinds.js';
import {
  blocksSlot,
  DETERMINERS,
  DIRECTION,
  fitsSlot,
  GENERIC_VERBS,
  isFiller,
  isSlot,
  ownerOf,
  plainNumber,
  saysIntent,
  shapeOf,
  SLOT_TIES,
  splitsPhrase,
  unsureStart,
} from './slot-fit.js';

export { CONTRAST, FILLERS, executeOnHost, readSpec, render, requiredWords, shapeOf, words };

/**
 * Checks the words left beside the slots; the confidence, or -1 when they change the intent.
 * `moved`: the slot stands where no phrasing had it, so the words that tied it there are not asked for.
 */
function score(template, rest, spec, values, moved = false, unsaid = []) {
  if (!sameIntent(rest, template)) return -1;
  rest = swapTies(template, rest);
  const counts = (t) => !isSlot(t) && !isFiller(t) && !(moved && SLOT_TIES.includes(t)) && !(unsaid.includes(t) && !rest.includes(t));
  const literal = template.filter(counts);
  // The template's topic words ("km", "to" of "how many km to X"); its asking words count only
  // when it has no topic word ("how much is X": without them it would be any X).
  const topical = literal.some((w) => !isFrame(w));
  const weighs = (w) => counts(w) && !(topical && isFrame(w));
  // Every topic word of the phrasing must be there ("count words in X" is no "what words are in
  // X"), but for its tie words, which may be another of their group or gone with a moved slot.
  const required = template.filter((w) => weighs(w) && !TIES.includes(w));
  // Verbs that say nothing of what is asked about ("need" of "what do I need for {dish}").
  const topicless = required.every((w) => GENERIC_VERBS.includes(w));
  // A phrasing with no topic word ("hello {name}", or "what do I need for {dish}" once the lexicon
  // read "I need" as asking): every one of its words must be there, or any value alone would match.
  // A code's unsaid kind word is not asked for, and one verb of asking to see stands for another
  // ("check UX-300" for "show ticket {ticket}").
  const said = (w) => rest.includes(w) || unsaid.includes(w) || (SEE_VERBS.includes(w) && rest.some((r) => SEE_VERBS.includes(r)));
  if (required.length === 0 && !template.every((w) => isSlot(w) || said(w))) return -1;
  // Nor does such a phrasing say what is asked: its value does ("what do I need for school"),
  // where a tool is asked with it (an echo's answer is right for any value).
  if (topicless && spec.calls.length > 0 && !Object.entries(values).every(([name, text]) => saysIntent(spec, name, text))) return -1;
  for (const core of required) if (!rest.includes(core)) return -1;
  for (const w of rest) if (!spec.vocabSet.has(w) && !isFiller(w) && !(w === 'when' && asksWhenNext(rest, template))) return -1;
  // Fillers count on neither side: "please" neither adds to nor takes from the overlap.
  const literals = new Set(template.filter(weighs));
  // A word naming what the value is ("ticket APP-256 status") neither adds to nor takes from the overlap.
  const named = (w) => spec.classWords?.includes(w) && !template.includes(w);
  const have = new Set(rest.filter((w) => !isFiller(w) && !(moved && SLOT_TIES.includes(w)) && !(topical && isFrame(w)) && !named(w)));
  let shared = 0;
  for (const w of have) if (literals.has(w)) shared++;
  const union = new Set([...have, ...literals]).size;
  return 0.5 + 0.5 * (union === 0 ? 1 : shared / union);
}

/**
 * The slot's value typed at toks[start..end) (its owner's name where one is said after it), or
 * null where the words do not fit the slot: its kind, the words beside it, a number written plainly.
 */
function slotValue(spec, name, toks, start, end, prompt) {
  const span = toks.slice(start, end);
  const rest = toks.slice(end).map((t) => t.w);
  const text = ownerOf(spec, name, prompt.slice(span[0].start, span[span.length - 1].end), rest);
  const fits =
    fitsSlot(spec, name, span, text, toks[end]?.w, toks[start - 1]?.w, rest) && plainNumber(spec, name, prompt, span[0].start, span[span.length - 1].end);
  return fits ? text : null;
}

/**
 * Finds one template in the prompt's words: each slot starts after the word before it in the
 * template and ends at the word after it (or, at the end, after 1..maxSlotWords words: every
 * length is tried, the best score wins, the shorter span on a tie). The slots, or null.
 */
function align(template, toks, prompt, spec, i = 0, cursor = 0, slots = {}, used = new Array(toks.length).fill(false)) {
  while (i < template.length && !isSlot(template[i])) i++;
  if (i >= template.length) {
    const confidence = score(
      template,
      toks.filter((_, k) => !used[k]).map((t) => t.w),
      spec,
      slots,
    );
    return confidence < 0 ? null : { slots: { ...slots }, confidence };
  }
  const name = template[i].slice(1, -1);
  const left = i > 0 && !isSlot(template[i - 1]) ? template[i - 1] : null;
  const right = i + 1 < template.length && !isSlot(template[i + 1]) ? template[i + 1] : null;
  // The word before the slot may stand more than once ("on my calendar on monday"): try each.
  // A tie word may stand for another ("weather for Paris", "weather in Paris"); read as the template's.
  const starts = [];
  if (i === 0) starts.push({ start: 0, toks });
  else if (left !== null) {
    for (let k = cursor; k + 1 < toks.length; k++) {
      if (toks[k].w === left) starts.push({ start: k + 1, toks });
      else if (sameTie(left, toks[k].w)) starts.push({ start: k + 1, toks: toks.map((t, j) => (j === k ? { ...t, w: left } : t)) });
    }
  }
  let best = null;
  for (const { start, toks } of starts) {
    const ends = [];
    if (right !== null) {
      for (let k = start + 1; k < toks.length; k++)
        if (toks[k].w === right) {
          ends.push(k);
          break;
        }
    } else {
      for (let k = start + 1; k <= Math.min(toks.length, start + spec.maxSlotWords); k++) ends.push(k);
    }
    for (const end of ends) {
      const span = toks.slice(start, end);
      // A slot value is never a word of the phrasings themselves ("right" in "... in Paris right now").
      if (
        span.length > spec.maxSlotWords ||
        span.some((t) => spec.vocabSet.has(t.w) || blocksSlot(t, prompt)) ||
        splitsPhrase(toks, start, end) ||
        unsureStart(toks, start, end, prompt)
      )
        continue;
      const text = slotValue(spec, name, toks, start, end, prompt);
      if (text === null) continue;
      const marks = used.slice();
      for (let k = start; k < end; k++) marks[k] = true;
      const found = align(template, toks, prompt, spec, i + 1, end, { ...slots, [name]: text }, marks);
      if (found && (!best || found.confidence > best.confidence)) best = found;
    }
  }
  return best;
}

/**
 * A phrasing whose slot stands where no template has it ("paella recipe" after "recipe for
 * lasagna", "what is litecoin worth" after "what is X worth"): the words no phrasing used must be
 * one run that fits the one slot; every other word must be the phrasings' own or a filler, and
 * the best template's overlap gives the confidence.
 */
function looseAlign(spec, toks, prompt) {
  if (spec.slots.length !== 1) return null;
  const runs = [];
  // "Peru's population": the possessive belongs to the moved value where a phrasing had it after
  // "of" ("population of Peru"); elsewhere ("Anna's weather") it is no value of the slot.
  const ofSlot = spec.templates.some((t) => t.some((w, i) => isSlot(w) && (t[i - 1] === 'of' || t[i - 1] === 'for')));
  toks = toks.filter((t, k) => !(ofSlot && t.w === "'s" && k > 0 && !spec.vocabSet.has(t.w) && !spec.vocabSet.has(toks[k - 1].w)));
  // "one litecoin": one of it, as "a" says, where the phrasings never counted it.
  toks = toks.filter((t, k) => !(t.w === 'one' && !spec.vocabSet.has('one') && toks[k + 1] && !spec.vocabSet.has(toks[k + 1].w) && !isFiller(toks[k + 1].w)));
  toks.forEach((t, k) => {
    // A word of the question's grammar, one that joins others or a verb of asking to see ("how's ORCL
    // trading", "what's in my note X", "open invoice X"), in lower case, is no part of a value; the
    // bag reading judges it.
    const joins = isFrame(t.w) || FUNCTION_WORDS.includes(t.w) || SEE_VERBS.includes(t.w);
    if (spec.vocabSet.has(t.w) || isFiller(t.w) || (joins && !/\p{Lu}/u.test(prompt.slice(t.start, t.end)))) return;
    const last = runs.at(-1);
    if (last && last.end === k) last.end = k + 1;
    else runs.push({ start: k, end: k + 1 });
  });
  if (runs.length !== 1) return null;
  const span = toks.slice(runs[0].start, runs[0].end);
  if (
    span.length > spec.maxSlotWords ||
    span.some((t) => blocksSlot(t, prompt) || t.w === "'s") ||
    splitsPhrase(toks, runs[0].start, runs[0].end) ||
    unsureStart(toks, runs[0].start, runs[0].end, prompt)
  )
    return null;
  const name = spec.slots[0];
  if (reachedFirst(spec, name, toks, runs[0].start, prompt)) return null;
  const text = slotValue(spec, name, toks, runs[0].start, runs[0].end, prompt);
  if (text === null) return null;
  // "a reservation", "my mind", "the day" at the end of a request: a thing named in common words, no
  // value; a code ("the N7") names itself.
  const before = toks.slice(0, runs[0].start).findLast((t) => !isFiller(t.w) || DETERMINERS.includes(t.w));
  const after = toks.slice(runs[0].end).some((t) => !isFiller(t.w));
  if (before && DETERMINERS.includes(before.w) && !after && prompt.slice(before.start, before.end) === before.w && !codeLike(text)) return null;
  const anchor = toks.slice(0, runs[0].start).findLast((t) => !isFiller(t.w) && !SLOT_TIES.includes(t.w))?.w;
  const rest = toks.filter((_, k) => k < runs[0].start || k >= runs[0].end).map((t) => t.w);
  let best = -1;
  const placed = [];
  const kinds = new Set();
  for (const template of spec.templates) {
    // A common word left where the template had "on {day}" is its object, not a value ("do I have
    // emails"); a name or a code there ("weather Hobart", "words is essay.txt") is the value.
    const unsaid =
      codeLike(text) && closeCode(spec, name, text) && kindSaidByCode(spec, name, text) ? kindWords(template) : seenValue(spec, name, text) ? [name] : [];
    // A value of a closed kind ("monday") is no object of the phrasing's verb ("what do I have monday").
    const common = /^\p{Ll}+$/u.test(text) && !ofClosedKind(spec, name, text);
    if (!keepsDirection(template, toks, runs[0].start, unsaid) || (common && stays(template, anchor))) continue;
    placed.push(template);
    for (const w of unsaid) kinds.add(w);
    best = Math.max(best, score(template, rest, spec, { [name]: text }, true, unsaid));
  }
  // No phrasing read in order: the words around the value as a bag, at the least sure confidence
  // (a code written as the source codes were may go without its kind word: "tracking for TNT4410").
  if (best < CORE_ONLY) best = Math.max(best, bagScore(spec, rest, placed, CORE_ONLY, [...kinds]));
  return best < 0 ? null : { slots: { [name]: text }, confidence: best };
}

/** The slot's source values were all of one closed kind (value-kinds.js), and the text is of it. */
function ofClosedKind(spec, name, text) {
  const kind = spec.kinds?.get(name);
  return kind !== undefined && kind !== 'any' && kindOf(text) === kind;
}

/**
 * The slot stands where the template has it (after the same topic word) with the tie word gone:
 * "do I have emails" is no "what do I have on {day}". A moved slot must have moved.
 */
function stays(template, anchor) {
  const at = template.findIndex(isSlot);
  const before = template.slice(0, at).findLast((w) => !isFiller(w) && !SLOT_TIES.includes(w));
  return anchor !== undefined && before === anchor && SLOT_TIES.includes(template[at - 1]) && FUNCTION_WORDS.includes(anchor);
}

/**
 * The moved slot stands on the same side of every direction word as in the template, and before
 * every word that followed it there ("one EUR in USD" is no "one {from} in EUR"), but for a code's kind word.
 */
function keepsDirection(template, toks, slotAt, kinds = []) {
  const slotInTemplate = template.findIndex(isSlot);
  for (const w of template.slice(slotInTemplate + 1)) {
    // A code's kind word may stand on either side of it ("bus M41", "M41 bus").
    if (isFiller(w) || kinds.includes(w)) continue;
    const k = toks.findIndex((t) => t.w === w);
    if (k >= 0 && k < slotAt) return false;
  }
  for (let k = 0; k < toks.length; k++) {
    if (!DIRECTION.includes(toks[k].w)) continue;
    const inTemplate = template.indexOf(toks[k].w);
    if (inTemplate >= 0 && inTemplate < slotInTemplate !== k < slotAt) return false;
  }
  return true;
}

/** How sure a reading by the core words alone is: the least that the default threshold (0.8) serves. */
const CORE_ONLY = 0.8;

/**
 * A constant plan asked in its core words and others of its phrasings, in an order or number no
 * phrasing had ("battery?", "how is my battery", "disk space?"): every word all its phrasings share
 * there, read as a bag (bag.js). A word no phrasing used ("battery health") still refuses it.
 */
function coreOnly(spec, toks) {
  if (spec.slots.length > 0) return null;
  const rest = toks.map((t) => t.w);
  const core = spec.core.filter((w) => !isFiller(w) && !isFrame(w));
  if (core.length === 0 || core.some((w) => !rest.includes(w))) return null;
  return bagScore(spec, rest, spec.templates, CORE_ONLY) < 0 ? null : { slots: {}, confidence: CORE_ONLY };
}

/**
 * The unit the answer gives its number in, asked for at the end ("monero price usd", "price of
 * monero in dollars", "distance to Ulm in km"): the answer says it, so it asks nothing more. Any
 * other unit ("in euros", "in miles") stays a word no phrasing had.
 */
function inUnits(spec, toks) {
  const last = toks.at(-1);
  if (!last || !spec.units.has(last.w) || toks.length < 3) return toks;
  const tie = toks.at(-2);
  // "steps to km": a measure the phrasings name, to a unit, asks to convert it; "tezos to usd" asks the value's price.
  if (tie.w === 'to' && spec.vocabSet.has(toks.at(-3).w) && !isFiller(toks.at(-3).w)) return toks;
  const tied = ['in', 'to'].includes(tie.w) && !spec.vocabSet.has(tie.w);
  // A unit the phrasings name ("how many km to X") is asked for at the end only after its tie ("... in km").
  if (spec.vocabSet.has(last.w) && !tied) return toks;
  return toks.slice(0, tied ? -2 : -1);
}

/**
 * A value alone but for the unit the answer gives its number in ("tezos usd", "cardano to usd",
 * "litecoin in dollars rn"): the unit asks for the measure the answer says, and a value of the
 * slot's closed kind or one a source turn had says of what ("litecoin" is a coin). A value of no
 * closed kind ("Trier in km" after "distance to Bonn") could be anything measured: the model answers.
 */

function valueInUnits(spec, toks, prompt) {
  // "my tezos in usd" asks what one's own holds: another question than the price.
  if (spec.slots.length !== 1 || spec.units.size === 0 || toks.some((t) => OWNERS.includes(t.w))) return null;
  let value = toks.filter((t) => !isFiller(t.w));
  if (spec.units.has(value.at(-1)?.w)) {
    value = value.slice(0, -1);
    if (['in', 'to'].includes(value.at(-1)?.w) && !spec.vocabSet.has(value.at(-1).w)) value = value.slice(0, -1);
  } else {
    // The lexicon reads "to usd", "in dollars" as nothing more: the unit is then in the text after the value.
    const after = value.length
      ? prompt
          .slice(value.at(-1).end)
          .toLowerCase()
          .match(/\p{L}+/gu)
      : null;
    if (!after?.some((w) => spec.units.has(w) || spec.units.has(singular(w)))) return null;
  }
  const start = toks.indexOf(value[0]);
  const end = toks.indexOf(value.at(-1)) + 1;
  if (value.length === 0 || end - start !== value.length || value.some((t) => spec.vocabSet.has(t.w) || blocksSlot(t, prompt))) return null;
  const name = spec.slots[0];
  const text = slotValue(spec, name, toks, start, end, prompt);
  return text !== null && saysIntent(spec, name, text) ? { slots: { [name]: text }, confidence: CORE_ONLY } : null;
}

/** Fillers that are nouns ("Hanau station"): after a word of the phrasings they make a compound, another thing. */
const COMPOUNDS = ['station'];

/**
 * The reflex export for a spec. invoke(name, inputJson) runs a tool (titan:host/tools), answering
 * JSON text or throwing.
 */
export function createReflex(rawSpec, invoke) {
  const spec = readSpec(rawSpec);
  const match = (prompt) => {
    const heard = mendSenses(spec, mendTypos(spec, words(prompt), String(prompt)));
    // "the weather station in Nairobi": a filler noun right after a word of the phrasings names another thing with it.
    if (heard.some((t, k) => COMPOUNDS.includes(t.w) && k > 0 && spec.vocabSet.has(heard[k - 1].w) && !isFiller(heard[k - 1].w))) return null;
    const toks = inUnits(spec, heard);
    const found = read(toks, prompt, heard);
    if (found) return found;
    // The request after an aside about the one asking ("im lost, what does X mean").
    const rest = withoutAside(spec, toks, String(prompt));
    const after = rest ? read(rest, prompt) : null;
    if (after) return after;
    // The request before a remark or two ("weather Lisbon, driving there after lunch", "free space? on my ssd, in gb").
    let head = rest ?? toks;
    for (let cut = 0; cut < 2; cut++) {
      head = withoutRemark(spec, head, String(prompt));
      const before = head ? read(head, prompt) : null;
      if (before || !head) return before;
    }
    return null;
  };
  /** The best reading of the request's words, or null. */
  const read = (toks, prompt, heard = toks) => {
    let best = null;
    for (const template of spec.templates) {
      const found = align(template, toks, String(prompt), spec);
      if (found && (!best || found.confidence > best.confidence)) best = { ...found, template };
    }
    // The slot may also stand where no phrasing had it; the better reading wins.
    const loose = looseAlign(spec, toks, String(prompt));
    if (loose && (!best || loose.confidence > best.confidence)) best = loose;
    if (!best || best.confidence < CORE_ONLY) best = coreOnly(spec, toks) ?? best;
    if (!best) best = valueInUnits(spec, heard, String(prompt));
    if (!best) return null;
    // Yes-or-no arguments, read from the request's wording; unsure (or read otherwise than its phrasing) is no match.
    const flags = readFlags(spec, toks, best.slots, best.template);
    if (!flags) return null;
    return { confidence: Math.round(best.confidence * 1000) / 1000, slotsJson: JSON.stringify({ ...best.slots, ...flags }) };
  };
  const execute = (slotsJson) => {
    const { slots, inputs } = toolInputs(spec, slotsJson);
    return answerFrom(
      spec,
      slots,
      inputs.map((c) => invoke(c.tool, c.input)),
    );
  };
  return {
    describe() {
      const properties = {};
      for (const name of spec.slots) properties[name] = { type: 'string' };
      for (const name of Object.keys(spec.flags ?? {})) properties[name] = { type: 'boolean' };
      const schema = { type: 'object', required: spec.slots, properties, 'x-titan-provenance': spec.provenance };
      return { name: spec.name, description: spec.description, configSchema: JSON.stringify(schema) };
    },
    match,
    execute,
    /** Each source prompt must match with the slots it was mined with. */
    smoke() {
      for (const example of spec.examples) {
        const found = match(example.prompt);
        if (!found) throw `does not match its source prompt "${example.prompt}"`;
        const slots = JSON.parse(found.slotsJson);
        for (const name of spec.slots) {
          if (slots[name] !== example.slots[name]) throw `extracts ${name}="${slots[name]}" from "${example.prompt}", expected "${example.slots[name]}"`;
        }
        for (const [name, value] of Object.entries(example.flags ?? {})) {
          if (slots[name] !== value) throw `reads ${name}=${slots[name]} from "${example.prompt}", expected ${value}`;
        }
      }
    },
  };
}
