// What the tool components share: reading a JSON object input against its schema's fields, and
// turning a host error ("CODE: cause") into the tool-error variant.

/** Parses the input as a JSON object with only the schema's fields; `expected` shows the shape. */
export function parseObject(input, schema, expected) {
  let args;
  try {
    args = JSON.parse(input);
  } catch (e) {
    throw { tag: 'invalid-input', val: 'input is not JSON: ' + e.message };
  }
  if (!args || typeof args !== 'object' || Array.isArray(args)) throw { tag: 'invalid-input', val: `expected ${expected}` };
  for (const key of Object.keys(args)) {
    if (!(key in schema.properties)) throw { tag: 'invalid-input', val: `unknown field "${key}"` };
  }
  return args;
}

/** The code of a host error text: "ENOENT: no such file" -> "ENOENT". */
export function codeOf(text) {
  return text.slice(0, text.indexOf(':'));
}

/** A host error as a tool error: the listed codes mean the input was at fault, others that the call failed. */
export function hostError(e, inputCodes) {
  const text = String(e && e.payload !== undefined ? e.payload : e);
  return { tag: inputCodes.includes(codeOf(text)) ? 'invalid-input' : 'failed', val: text };
}
