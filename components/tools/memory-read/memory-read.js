// memory-read: one remembered document by its path (as memory-search names it), with its summary
// and keywords, through the host's memory import (granted read only).
import { read } from 'titan:host/memory@0.2.0';
import { parseObject } from '../lib/input.js';
import { refusesAll, viaHost } from '../lib/memory.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: { path: { type: 'string', minLength: 1, maxLength: 1000, description: 'The document path, as memory-search shows it.' } },
};

function parse(input) {
  const args = parseObject(input, schema, '{"path": string}');
  if (typeof args.path !== 'string' || args.path === '') throw { tag: 'invalid-input', val: '"path" must be a non-empty string' };
  return args;
}

/** @type {typeof import('titan:tool/tool@0.2.0')} */
export const tool = {
  describe() {
    return {
      name: 'memory-read',
      description: 'Reads one document Titan remembers, by its path, with its summary and keywords.',
      inputSchema: JSON.stringify(schema),
      needsApproval: false,
    };
  },
  invoke(input) {
    const args = parse(input);
    return viaHost(() => read(args.path));
  },
  smoke() {
    refusesAll(parse, ['', '{}', '{"path":""}', '{"path":1}', '{"path":"a","x":1}']);
  },
};
