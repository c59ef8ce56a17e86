// Whether a value fits a slot its source turns filled with numbers ("message 3", "convert 25 miles",
// "run 5km"): a number of any digit count, written as theirs were (a decimal part where they had
// one or the tool's schema takes one, the unit glued to them), never a value of another kind that
// holds digits (a time, a date, a money amount, a percentage, a version, a phone number, a code).
// Part of the reflex runtime (runtime.js), inlined with it into every generated reflex.

/** Digits without a leading zero, a decimal part, a unit glued after ("5km"); nothing else. */
const NUMBER = /^(0|[1-9]\d*)(?:\.(\d+))?(\p{L}*)$/u;

/**
 * More digits than this are no quantity a request carries but a phone, account or card number,
 * unless the source values were that long ("5551234" after "message 3").
 */
const MAX_DIGITS = 6;

/** A number's parts, or undefined where the text is no plain number ("0042", "10:30", "$5", "v2"). */
export function numberParts(text) {
  const found = NUMBER.exec(String(text).trim());
  if (!found) return undefined;
  return { digits: found[1].length, decimal: found[2] !== undefined, unit: found[3] };
}

/**
 * A slot whose source values were all plain numbers with the same glued units, and that no tool
 * reads as text (a postal code or an order number passed as a string keeps its digit count:
 * variants.js): how its values may be written. Undefined for any other slot.
 * `schemaTypes` are the JSON schema types ("integer", "number") the tools' arguments it fills have.
 */
export function numberSlot(values, readAsText, schemaTypes) {
  if (values.length === 0 || readAsText) return undefined;
  const parts = values.map(numberParts);
  if (parts.some((p) => p === undefined)) return undefined;
  const units = new Set(parts.map((p) => p.unit));
  // "5km" beside "10": a unit said only sometimes; the slot keeps the code rule (variants.js).
  if (units.size > 1) return undefined;
  const integer = schemaTypes.includes('integer');
  return {
    units,
    // A decimal part where a source value had one, or the schema says any number.
    decimal: !integer && (parts.some((p) => p.decimal) || schemaTypes.includes('number')),
    maxDigits: Math.max(MAX_DIGITS, ...parts.map((p) => p.digits + 1)),
  };
}

/** The text is a number as the slot's source values were written, of any digit count up to its limit. */
export function fitsNumber(slot, text) {
  const parts = numberParts(text);
  return parts !== undefined && parts.digits <= slot.maxDigits && (slot.decimal || !parts.decimal) && slot.units.has(parts.unit);
}
