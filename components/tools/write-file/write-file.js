// write-file: writes a text file in the workspace (creating its folders), replacing what was
// there, through the host's files import. Paths are relative to the workspace; the host refuses
// any path that leaves it. Every call needs a human's approval. Its self-test writes nothing.
import { write } from 'titan:host/files@0.2.0';
import { hostError, parseObject } from '../lib/input.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['path', 'content'],
  properties: {
    path: { type: 'string', minLength: 1, description: 'The file, relative to the workspace; missing folders are created.' },
    content: { type: 'string', description: 'The whole new text of the file.' },
  },
};

// Host errors are "CODE: cause"; these codes mean the input named something it may not.
const INPUT_CODES = ['TITAN_E_WORKSPACE_PATH', 'ENOTDIR', 'EISDIR', 'EFBIG'];

function parse(input) {
  const args = parseObject(input, schema, '{"path": string, "content": string}');
  if (typeof args.path !== 'string' || args.path === '') throw { tag: 'invalid-input', val: '"path" must be a non-empty string' };
  if (typeof args.content !== 'string') throw { tag: 'invalid-input', val: '"content" must be a string' };
  return args;
}

/** @type {typeof import('titan:tool/tool@0.2.0')} */
export const tool = {
  describe() {
    return {
      name: 'write-file',
      description: 'Writes a text file in the workspace, replacing its content; creates missing folders.',
      inputSchema: JSON.stringify(schema),
      needsApproval: true,
    };
  },
  invoke(input) {
    const args = parse(input);
    let bytes;
    try {
      bytes = write(args.path, args.content);
    } catch (e) {
      throw hostError(e, INPUT_CODES);
    }
    return JSON.stringify({ path: args.path, bytes: Number(bytes) });
  },
  /** Checks the input rules; writes nothing. */
  smoke() {
    for (const input of ['', '{}', '{"path":"a"}', '{"path":"","content":""}', '{"path":"a","content":1}', '{"path":"a","content":"","x":1}']) {
      let tag;
      try {
        parse(input);
      } catch (e) {
        tag = e.tag;
      }
      if (tag !== 'invalid-input') throw 'input ' + JSON.stringify(input) + ' was not refused';
    }
  },
};
