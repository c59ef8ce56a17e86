// What the memory-* tools share: a host memory error ("CODE: cause") as the tool-error variant,
// the input's field of an expected type, and the smoke check that bad input is refused.
import { hostError } from './input.js';

// Codes that mean the input was at fault (a bad query, path or request), not the memory.
const INPUT_CODES = ['TITAN_E_USAGE', 'TITAN_E_NOT_FOUND', 'TITAN_E_MEMORY_PATH', 'TITAN_E_MEMORY_QUERY_TOO_LONG', 'TITAN_E_WORKSPACE_PATH'];

/** Runs one host memory call; its failure becomes the tool's error. */
export function viaHost(call) {
  try {
    return call();
  } catch (e) {
    throw hostError(e, INPUT_CODES);
  }
}

/** Every input must be refused as invalid-input by `parse` (the smoke test of each tool). */
export function refusesAll(parse, inputs) {
  for (const input of inputs) {
    let tag;
    try {
      parse(input);
    } catch (e) {
      tag = e.tag;
    }
    if (tag !== 'invalid-input') throw 'input ' + JSON.stringify(input) + ' was not refused';
  }
}
