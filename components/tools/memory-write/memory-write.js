// memory-write: writes a note (Markdown or text) into the workspace and has memory index it at
// once, through the host's memory import (granted write only). Asks first: it changes a file.
import { write } from 'titan:host/memory@0.2.0';
import { parseObject } from '../lib/input.js';
import { refusesAll, viaHost } from '../lib/memory.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['path', 'content'],
  properties: {
    path: { type: 'string', pattern: '\\.(md|txt)$', maxLength: 300, description: 'Where in the workspace, e.g. "memory/2026-12-05.md" or "notes/people.md".' },
    content: { type: 'string', maxLength: 200000, description: 'The whole note (it replaces the file).' },
  },
};

function parse(input) {
  const args = parseObject(input, schema, '{"path": string, "content": string}');
  if (typeof args.path !== 'string' || !/\.(md|txt)$/.test(args.path)) throw { tag: 'invalid-input', val: '"path" must end in .md or .txt' };
  if (typeof args.content !== 'string') throw { tag: 'invalid-input', val: '"content" must be a string' };
  return args;
}

/** @type {typeof import('titan:tool/tool@0.2.0')} */
export const tool = {
  describe() {
    return {
      name: 'memory-write',
      description: 'Writes a note into the workspace (a .md or .txt file) so Titan remembers it; it is indexed at once.',
      inputSchema: JSON.stringify(schema),
      needsApproval: true,
    };
  },
  invoke(input) {
    const args = parse(input);
    return viaHost(() => write(args.path, args.content));
  },
  smoke() {
    refusesAll(parse, ['', '{}', '{"path":"a.png","content":""}', '{"path":"a.md"}', '{"path":"a.md","content":"x","y":1}']);
  },
};
