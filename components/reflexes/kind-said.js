// Whether a value said without the word naming its kind is still of that kind: a code written as
// the source codes were ("is EK9 on time"), or a value a source turn had ("is Atlas free"); and
// which words of a phrasing name the kind. Part of the reflex runtime (runtime.js), inlined with it
// into every generated reflex.
import { isFrame } from './spec.js';
import { DETERMINERS, DIRECTION, isFiller, isSlot, SLOT_TIES } from './slot-fit.js';

/**
 * A plain code of letters and digits ("KL1776", "JD0142") is how flights, parcels and trains are
 * all written: said without its kind word, it is taken for this slot's only when at least two
 * source codes had as many letters (one could be chance: "where is KL1776" asks of a flight, not
 * of a parcel learned from "JD0142" and three "UPS7781"-like codes). A code with marks ("UX-300")
 * is told by them, and a code the source turns had is of their kind.
 */
export function kindSaidByCode(spec, name, text) {
  if (/[^\p{L}\d]/u.test(text) || spec.examples.some((e) => e.slots[name] === text)) return true;
  const letters = (v) => (/^\p{L}*/u.exec(String(v)) ?? [''])[0].length;
  return spec.examples.filter((e) => letters(e.slots[name]) === letters(text)).length >= 2;
}

/**
 * A value a source turn had, written as it was ("is Atlas free" after "is room Atlas free"): it is
 * of the slot's kind, so the word naming that kind (the slot's own name, "room") may go unsaid. A
 * value never seen says no kind of itself ("is Echo free": a room, a person, a line?).
 */
export function seenValue(spec, name, text) {
  return spec.examples.some((e) => e.slots[name] === text);
}

/** A value written as a code, with a digit ("EK9", "APP-256"): it says what it is of itself. */
export function codeLike(text) {
  return /\d/.test(text) && /\p{L}/u.test(text);
}

/**
 * The words of a phrasing that name its slot's kind: the slot's own name, from the tool's argument
 * ("flight" of "is flight {flight} on time"), or the noun just before the slot ("parcel" of "track
 * parcel {tracking}") or just after it ("bus" of "next {line} bus"). Next to a code written as the source codes were they may go unsaid ("is EK9
 * on time", "track #DPD6614"): a parcel's code without its kind word must not read as a flight's.
 */
export function kindWords(template) {
  const beside = template.filter(
    (w, i) =>
      (isSlot(template[i + 1] ?? '') || isSlot(template[i - 1] ?? '')) &&
      !isSlot(w) &&
      !isFiller(w) &&
      !isFrame(w) &&
      !SLOT_TIES.includes(w) &&
      !DIRECTION.includes(w) &&
      !DETERMINERS.includes(w),
  );
  return [...new Set([...template.filter((w) => template.includes(`{${w}}`)), ...beside])];
}
