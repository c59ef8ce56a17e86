// How a reflex reads its spec: the templates, vocabulary and core words in the lexicon's canonical
// reading, and what the source turns tell of each slot (the codes' skeletons, the values the tool's
// schema allows, the words the source values had). Part of the reflex runtime (runtime.js), inlined
// with it into every generated reflex; the host's router reads a spec's required words through it.
import { canonicalWords } from './lexicon.js';
import { AUX_WORDS, ASK_WORDS } from './intent.js';
import { words } from './words.js';
import { skeleton, TIES } from './variants.js';
import { answerUnits, slotKinds } from './value-kinds.js';
import { numberSlot } from './number-slot.js';
import { isFiller, isSlot, SLOT_TIES } from './slot-fit.js';

/** How a question is put rather than what it asks about. */
export function isFrame(w) {
  return ASK_WORDS.includes(w) || AUX_WORDS.includes(w);
}

/**
 * A spec as this runtime reads prompts: its templates, vocabulary and core words in the lexicon's
 * canonical reading (a spec mined before a lexicon entry was written reads the same as one after).
 */
export function readSpec(spec) {
  const each = (list) => [...new Set(list.flatMap((w) => (isSlot(w) ? [w] : canonicalWords([w]))))];
  const templates = spec.templates.map(canonicalWords);
  const vocab = [...new Set([...each(spec.vocab), ...templates.flat().filter((w) => !isSlot(w))])];
  // Words that name what the value is, where only some phrasings had them ("ticket" of "show ticket X").
  const named = new Set(templates.flatMap((t) => t.filter((w, i) => !isSlot(w) && isSlot(t[i + 1] ?? ''))));
  const classWords = [...named].filter((w) => !TIES.includes(w) && !isFiller(w) && !isFrame(w) && !templates.every((t) => t.includes(w)));
  const codes = new Map(
    spec.slots.map((name) => [
      name,
      new Set(
        spec.examples
          .map((e) => e.slots[name])
          .filter((v) => typeof v === 'string')
          .map(skeleton),
      ),
    ]),
  );
  // The values a tool's schema allows a slot, and how the slot's text is written into it.
  const enums = new Map();
  const numbers = new Set();
  const readAsText = new Set();
  const schemaTypes = new Map();
  for (const call of spec.calls)
    for (const source of Object.values(call.args)) {
      if (!('slot' in source)) continue;
      if (source.oneOf) enums.set(source.slot, [...(enums.get(source.slot) ?? []), { values: source.oneOf, form: source.form }]);
      if (source.type === 'number') numbers.add(source.slot);
      else readAsText.add(source.slot);
      if (source.schema) schemaTypes.set(source.slot, [...(schemaTypes.get(source.slot) ?? []), source.schema]);
    }
  // Slots of numbers (number-slot.js): any digit count, written as the source values were.
  const numberSlots = new Map();
  for (const name of spec.slots) {
    const values = spec.examples.map((e) => e.slots[name]).filter((v) => typeof v === 'string');
    const slot = numberSlot(values, readAsText.has(name), schemaTypes.get(name) ?? []);
    if (slot) numberSlots.set(name, slot);
  }
  // The words the source values themselves had ("and" of "Lunch with Kim and Bo"): no intent word inside one.
  const valueWords = new Map(
    spec.slots.map((name) => [
      name,
      new Set(
        spec.examples.flatMap((e) =>
          typeof e.slots[name] === 'string' ? [...words(e.slots[name]).map((t) => t.w), ...(/[,;]/.test(e.slots[name]) ? [','] : [])] : [],
        ),
      ),
    ]),
  );
  return {
    ...spec,
    templates,
    vocab,
    vocabSet: new Set(vocab),
    core: each(spec.core),
    classWords,
    codes,
    enums,
    numbers,
    numberSlots,
    kinds: slotKinds(spec),
    valueWords,
    units: answerUnits(spec),
  };
}

/** The words a prompt must hold for the spec to match it (a cheap test before matching). */
export function requiredWords(spec) {
  return readSpec(spec).core.filter((w) => !isFiller(w) && !isFrame(w) && !SLOT_TIES.includes(w));
}
