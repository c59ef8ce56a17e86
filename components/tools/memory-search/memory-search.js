// memory-search: finds what Titan remembers from the workspace's notes, identity files and daily
// logs - full-text and meaning together - through the host's memory import (granted search only).
import { search } from 'titan:host/memory@0.2.0';
import { parseObject } from '../lib/input.js';
import { refusesAll, viaHost } from '../lib/memory.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['query'],
  properties: {
    query: { type: 'string', minLength: 1, maxLength: 2000, description: 'What to look for, in words.' },
    limit: { type: 'integer', minimum: 1, maximum: 50, description: 'How many passages (default 8).' },
    kinds: { type: 'array', items: { enum: ['identity', 'note', 'daily', 'summary', 'code'] }, description: 'Only these kinds of document.' },
    pathPrefix: { type: 'string', description: 'Only documents whose path starts with this (e.g. "notes/").' },
    since: { type: 'integer', description: 'Only documents changed at or after this time (ms since the epoch).' },
    until: { type: 'integer', description: 'Only documents changed before this time (ms since the epoch).' },
  },
};

function parse(input) {
  const args = parseObject(input, schema, '{"query": string, "limit"?: integer, "kinds"?: [...], "pathPrefix"?: string}');
  if (typeof args.query !== 'string' || args.query.trim() === '') throw { tag: 'invalid-input', val: '"query" must be a non-empty string' };
  return args;
}

/** @type {typeof import('titan:tool/tool@0.2.0')} */
export const tool = {
  describe() {
    return {
      name: 'memory-search',
      description: "Searches Titan's memory of the workspace (notes, identity files, daily logs): returns the best passages with their paths, to cite.",
      inputSchema: JSON.stringify(schema),
      needsApproval: false,
    };
  },
  invoke(input) {
    const args = parse(input);
    return viaHost(() => search(JSON.stringify(args)));
  },
  smoke() {
    refusesAll(parse, ['', '{}', '{"query":""}', '{"query":1}', '{"query":"a","x":1}']);
  },
};
