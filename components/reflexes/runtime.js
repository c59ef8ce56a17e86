// The reflex runtime: every generated reflex is this code plus the spec the miner extracted (the
// compiler inlines both into one guest source). The host imports the same file to measure
// precision and recall without building. No clock, no randomness: the same prompt always gives
// the same match.
//
// match: the prompt is split into words; for each phrasing seen in the source turns (a template
// such as ["what's", "the", "weather", "in", "{city}"]) the slot spans are found between their
// neighbouring words, and the remaining words must (1) contain every core word (the words every
// phrasing shares), (2) hold no word the phrasings never used apart from a few fillers, and (3)
// hold no intent-changing word (negations, times, verbs of another intent). Confidence is 0.5 plus
// half the Jaccard overlap of the remaining words with the template's words (1.0: a seen phrasing).

import { CONTRAST, FILLERS, FUNCTION_WORDS, words } from './words.js';

export { CONTRAST, FILLERS, words };

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
 * is no ticker like "AAPL"), and is no longer than they were, but for one more capitalised word
 * ("New York" after "Paris"; never "AMZN now").
 */
function fitsSlot(spec, name, span, text) {
  if (span.every((t) => FUNCTION_WORDS.includes(t.w)) && !/\p{Lu}/u.test(text)) return false;
  // "Yukis phone number" where the phrasings had "{name}'s": Yuki's, or someone called Yukis? Unknown.
  if (/s$/i.test(text) && spec.templates.some((t) => t.some((w, i) => w === `{${name}}` && t[i + 1] === "'s"))) return false;
  const shapes = spec.slotShapes?.[name];
  if (shapes && !shapes.includes(shapeOf(text))) return false;
  const seen = spec.seenSlotWords ?? spec.maxSlotWords - 1;
  return (
    span.length <= seen ||
    (span.length <= spec.maxSlotWords && /^[\p{Lu}\d]/u.test(text) && span.every((t) => /^[\p{Lu}\d]/u.test(text.slice(t.start - span[0].start))))
  );
}

function isSlot(token) {
  return token.length > 2 && token[0] === '{' && token[token.length - 1] === '}';
}

function applyForm(value, form) {
  if (form === 'lower') return value.toLowerCase();
  if (form === 'upper') return value.toUpperCase();
  if (form === 'title') return value.toLowerCase().replace(/(^|[\s\-'])(\p{L})/gu, (_, sep, c) => sep + c.toUpperCase());
  return value;
}

function lookup(value, path) {
  let here = value;
  for (const key of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = here[key];
  }
  return here;
}

function isFiller(w) {
  return FILLERS.includes(w) && !CONTRAST.includes(w);
}

/** Words that tie a slot to its phrasing ("recipe for X"): gone when the slot moves ("X recipe"). */
const SLOT_TIES = ['for', 'of', 'in', 'on', 'at', 'about'];

/**
 * Checks the words left beside the slots; the confidence, or -1 when they change the intent.
 * `moved`: the slot stands where no phrasing had it, so the words that tied it there are not asked for.
 */
function score(template, rest, spec, moved = false) {
  const counts = (t) => !isSlot(t) && !isFiller(t) && !(moved && SLOT_TIES.includes(t));
  // Phrasings that share no word ("define X", "what does X mean"): each needs its own words.
  const required = (spec.core.length > 0 ? spec.core : template).filter(counts);
  for (const core of required) if (!rest.includes(core)) return -1;
  for (const w of rest) if (!spec.vocab.includes(w) && !isFiller(w)) return -1;
  // Fillers count on neither side: "please" neither adds to nor takes from the overlap.
  const literals = new Set(template.filter(counts));
  const have = new Set(rest.filter((w) => !isFiller(w) && !(moved && SLOT_TIES.includes(w))));
  let shared = 0;
  for (const w of have) if (literals.has(w)) shared++;
  const union = new Set([...have, ...literals]).size;
  return 0.5 + 0.5 * (union === 0 ? 1 : shared / union);
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
    );
    return confidence < 0 ? null : { slots: { ...slots }, confidence };
  }
  const name = template[i].slice(1, -1);
  const left = i > 0 && !isSlot(template[i - 1]) ? template[i - 1] : null;
  const right = i + 1 < template.length && !isSlot(template[i + 1]) ? template[i + 1] : null;
  // The word before the slot may stand more than once ("on my calendar on monday"): try each.
  const starts = [];
  if (i === 0) starts.push(0);
  else if (left !== null) {
    for (let k = cursor; k < toks.length; k++) if (toks[k].w === left && k + 1 < toks.length) starts.push(k + 1);
  }
  let best = null;
  for (const start of starts) {
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
      if (span.length > spec.maxSlotWords || span.some((t) => spec.vocab.includes(t.w) || CONTRAST.includes(t.w))) continue;
      const text = prompt.slice(span[0].start, span[span.length - 1].end);
      if (!fitsSlot(spec, name, span, text)) continue;
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
  toks.forEach((t, k) => {
    if (spec.vocab.includes(t.w) || isFiller(t.w)) return;
    const last = runs.at(-1);
    if (last && last.end === k) last.end = k + 1;
    else runs.push({ start: k, end: k + 1 });
  });
  if (runs.length !== 1) return null;
  const span = toks.slice(runs[0].start, runs[0].end);
  if (span.length > spec.maxSlotWords || span.some((t) => CONTRAST.includes(t.w))) return null;
  const name = spec.slots[0];
  const text = prompt.slice(span[0].start, span[span.length - 1].end);
  if (!fitsSlot(spec, name, span, text)) return null;
  const rest = toks.filter((_, k) => k < runs[0].start || k >= runs[0].end).map((t) => t.w);
  let best = -1;
  for (const template of spec.templates) {
    if (keepsDirection(template, toks, runs[0].start)) best = Math.max(best, score(template, rest, spec, true));
  }
  return best < 0 ? null : { slots: { [name]: text }, confidence: best };
}

/** Words that say which way a value goes: "USD to EUR" is not "EUR to USD". */
const DIRECTION = ['to', 'from', 'into', 'than', 'vs', 'versus', 'before', 'after'];

/** The moved slot stands on the same side of every direction word as in the template. */
function keepsDirection(template, toks, slotAt) {
  const slotInTemplate = template.findIndex(isSlot);
  for (let k = 0; k < toks.length; k++) {
    if (!DIRECTION.includes(toks[k].w)) continue;
    const inTemplate = template.indexOf(toks[k].w);
    if (inTemplate >= 0 && inTemplate < slotInTemplate !== k < slotAt) return false;
  }
  return true;
}

/** A tool result's value as answer text; a list, an object or a missing value cannot be one. */
function leafText(value, where) {
  if (value === undefined || value === null || typeof value === 'object') throw `the tool answered without ${where}`;
  return String(value);
}

/**
 * An answer from its parts: literal text, slot values, tool-result fields, list lengths and whole
 * lists (every item, in the tool's order). A list is rendered only in a shape its source turns
 * showed: one item only when one was seen, the separators seen, never an empty list.
 */
export function render(parts, slots, results) {
  let text = '';
  for (const part of parts) {
    if ('text' in part) text += part.text;
    else if ('slot' in part) text += applyForm(slots[part.slot], part.form);
    else if ('count' in part) {
      const list = lookup(results[part.count.call], part.count.path);
      if (!Array.isArray(list)) throw `the tool answered without the list ${part.count.path.join('.')}`;
      text += String(list.length);
    } else if ('list' in part) {
      const list = lookup(results[part.list.call], part.list.path);
      const where = part.list.path.join('.');
      if (!Array.isArray(list)) throw `the tool answered without the list ${where}`;
      const n = list.length;
      if (n === 0) throw `the list ${where} is empty, a case its source turns never showed`;
      if (n === 1 && !part.seen.includes(1)) throw `the list ${where} has one item, a case its source turns never showed`;
      if (n > 1 && !part.seen.some((k) => k > 1)) throw `the list ${where} has ${n} items, its source turns only one`;
      if ((n > 2 && part.sep === undefined) || (n > 1 && part.last === undefined))
        throw `the list ${where} has ${n} items, its source turns never showed how to join them`;
      list.forEach((item, i) => {
        if (i > 0) text += i === n - 1 ? part.last : part.sep;
        for (const field of part.item) {
          if ('text' in field) text += field.text;
          else if ('slot' in field) text += applyForm(slots[field.slot], field.form);
          else text += leafText(lookup(item, field.field), `${where}.${i}.${field.field.join('.')}`);
        }
      });
    } else text += leafText(lookup(results[part.call], part.path), part.path.join('.'));
  }
  return text;
}

/** A slot's text as the tool argument: a number for a number slot, one of the schema's values for an enum. */
function argument(text, source) {
  const value = applyForm(text, source.form);
  if (source.type === 'number') {
    const n = Number(value.replace(/,/g, ''));
    if (!/^[+-]?[\d,]*\.?\d+$/.test(value) || !Number.isFinite(n)) throw `slot "${source.slot}" is not a number: "${value}"`;
    return n;
  }
  if (source.oneOf && !source.oneOf.includes(value)) throw `slot "${source.slot}" is not one of ${source.oneOf.join(', ')}: "${value}"`;
  return value;
}

/**
 * The reflex export for a spec. invoke(name, inputJson) runs a tool (titan:host/tools), answering
 * JSON text or throwing.
 */
export function createReflex(spec, invoke) {
  const match = (prompt) => {
    const toks = words(prompt);
    let best = null;
    for (const template of spec.templates) {
      const found = align(template, toks, String(prompt), spec);
      if (found && (!best || found.confidence > best.confidence)) best = found;
    }
    best ??= looseAlign(spec, toks, String(prompt));
    if (!best) return null;
    return { confidence: Math.round(best.confidence * 1000) / 1000, slotsJson: JSON.stringify(best.slots) };
  };
  const execute = (slotsJson) => {
    const slots = JSON.parse(slotsJson);
    for (const name of spec.slots) {
      if (typeof slots[name] !== 'string' || slots[name] === '') throw `slot "${name}" is missing`;
    }
    const results = [];
    for (const call of spec.calls) {
      const input = {};
      for (const [key, source] of Object.entries(call.args)) {
        input[key] = 'slot' in source ? argument(slots[source.slot], source) : source.value;
      }
      const output = invoke(call.tool, JSON.stringify(input));
      let parsed = output;
      try {
        parsed = JSON.parse(output);
      } catch {
        // a tool may answer plain text
      }
      results.push(parsed);
    }
    return render(spec.answer, slots, results);
  };
  return {
    describe() {
      const properties = {};
      for (const name of spec.slots) properties[name] = { type: 'string' };
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
      }
    },
  };
}
