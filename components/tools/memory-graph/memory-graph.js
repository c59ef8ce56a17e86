// memory-graph: what Titan knows around named entities (people, files, symbols, topics) within a
// few hops, each with the documents that cite it; or the graph's communities, for questions about
// everything at once. Through the host's memory import (granted graph only).
import { graph } from 'titan:host/memory@0.2.0';
import { parseObject } from '../lib/input.js';
import { refusesAll, viaHost } from '../lib/memory.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    entities: { type: 'array', items: { type: 'string' }, maxItems: 16, description: 'Names to start from, e.g. ["Ada Lovelace", "parseConfig"].' },
    hops: { type: 'integer', minimum: 1, maximum: 3, description: 'How far to go (default 2).' },
    limit: { type: 'integer', minimum: 1, maximum: 100, description: 'How many related entities (default 20).' },
    communities: { type: 'integer', minimum: 1, maximum: 50, description: 'Instead: the largest groups of related entities, this many.' },
  },
};

function parse(input) {
  const args = parseObject(input, schema, '{"entities": [string], "hops"?: 1-3} or {"communities": integer}');
  const named = Array.isArray(args.entities) && args.entities.length > 0 && args.entities.every((e) => typeof e === 'string');
  if (!named && args.communities === undefined) throw { tag: 'invalid-input', val: 'give "entities" (names) or "communities"' };
  return args;
}

/** @type {typeof import('titan:tool/tool@0.2.0')} */
export const tool = {
  describe() {
    return {
      name: 'memory-graph',
      description: "Explores Titan's memory graph: entities related to the named ones (with the documents citing them), or its communities.",
      inputSchema: JSON.stringify(schema),
      needsApproval: false,
    };
  },
  invoke(input) {
    const args = parse(input);
    return viaHost(() => graph(JSON.stringify(args)));
  },
  smoke() {
    refusesAll(parse, ['', '{}', '{"entities":[]}', '{"entities":[1]}', '{"entities":["a"],"x":1}']);
  },
};
