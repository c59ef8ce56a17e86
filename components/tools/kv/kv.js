// kv: a small persistent notebook of keys and values, stored through the host's asynchronous kv
// import (the call suspends through JSPI while the host works).
import { get, set, delete as remove, listKeys } from 'titan:host/kv@0.1.0';
import { log } from 'titan:host/log@0.1.0';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['op'],
  properties: {
    op: { enum: ['get', 'set', 'delete', 'list'] },
    key: { type: 'string', minLength: 1, maxLength: 256 },
    value: { type: 'string' },
    prefix: { type: 'string' },
  },
};

function parse(input) {
  let args;
  try {
    args = JSON.parse(input);
  } catch (e) {
    throw { tag: 'invalid-input', val: 'input is not JSON: ' + e.message };
  }
  if (!args || typeof args.op !== 'string') throw { tag: 'invalid-input', val: 'expected {"op": "get"|"set"|"delete"|"list", ...}' };
  if (args.op !== 'list' && (typeof args.key !== 'string' || args.key.length === 0)) {
    throw { tag: 'invalid-input', val: `"${args.op}" needs a non-empty "key"` };
  }
  return args;
}

/** @type {typeof import('titan:tool/tool@0.1.0')} */
export const tool = {
  describe() {
    return { name: 'kv', description: 'Stores, reads, lists and deletes short notes by key.', inputSchema: JSON.stringify(schema), needsApproval: false };
  },
  invoke(input) {
    const args = parse(input);
    switch (args.op) {
      case 'get':
        // QuickJS gives null for a missing value, StarlingMonkey undefined: answer null either way.
        return JSON.stringify({ key: args.key, value: get(args.key) ?? null });
      case 'set':
        if (typeof args.value !== 'string') throw { tag: 'invalid-input', val: '"set" needs a string "value"' };
        try {
          set(args.key, args.value);
        } catch (e) {
          throw { tag: 'failed', val: String(e && e.payload !== undefined ? e.payload : e) };
        }
        log('debug', 'set ' + args.key);
        return JSON.stringify({ key: args.key, stored: true });
      case 'delete':
        return JSON.stringify({ key: args.key, deleted: remove(args.key) });
      case 'list':
        return JSON.stringify({ keys: listKeys(args.prefix ?? '') });
      default:
        throw { tag: 'invalid-input', val: `unknown op "${args.op}"` };
    }
  },
};
