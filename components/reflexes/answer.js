// A reflex's answer: the tool inputs a match's slots make, and the answer rendered from the tools'
// outputs by the spec's parts. Part of the reflex runtime (runtime.js), inlined with it into every
// generated reflex; the host uses it to answer again and to execute on its own side.

/** How a slot value is written: as typed, Title Case, lower or UPPER case (the miner found which). */
export function applyForm(value, form) {
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
    if (source.schema === 'integer' && !Number.isInteger(n)) throw `slot "${source.slot}" is not a whole number: "${value}"`;
    if (source.oneOf && !source.oneOf.includes(n)) throw `slot "${source.slot}" is not one of ${source.oneOf.join(', ')}: ${n}`;
    return n;
  }
  if (source.oneOf && !source.oneOf.includes(value)) throw `slot "${source.slot}" is not one of ${source.oneOf.join(', ')}: "${value}"`;
  return value;
}

/** The slots of a match and the tool calls they make, in order (each call's input is JSON text). */
export function toolInputs(spec, slotsJson) {
  const slots = JSON.parse(slotsJson);
  for (const name of spec.slots) {
    if (typeof slots[name] !== 'string' || slots[name] === '') throw `slot "${name}" is missing`;
  }
  const inputs = spec.calls.map((call) => {
    const input = {};
    for (const [key, source] of Object.entries(call.args)) {
      if ('flag' in source) {
        // A yes or no the request's wording said (runtime.js read it); never guessed.
        if (typeof slots[source.flag] !== 'boolean') throw `the request does not say whether ${source.flag}`;
        // Left out when false, as the model's own calls did: the tool's default stands.
        if (!(source.omitWhenFalse && slots[source.flag] === false)) input[key] = slots[source.flag];
      } else input[key] = 'slot' in source ? argument(slots[source.slot], source) : source.value;
    }
    return { tool: call.tool, input: JSON.stringify(input) };
  });
  return { slots, inputs };
}

/** The answer from the tools' outputs (JSON, or plain text a tool may answer). */
export function answerFrom(spec, slots, outputs) {
  const results = outputs.map((output) => {
    try {
      return JSON.parse(output);
    } catch {
      return output;
    }
  });
  return render(spec.answer, slots, results);
}

/**
 * execute as the component does it, for the host: the same runtime and spec, with tools reached
 * asynchronously (the kernel's own tool service), so no worker thread waits on a tool call.
 */
export async function executeOnHost(spec, slotsJson, invoke) {
  const { slots, inputs } = toolInputs(spec, slotsJson);
  const outputs = [];
  for (const call of inputs) outputs.push(await invoke(call.tool, call.input));
  return answerFrom(spec, slots, outputs);
}
