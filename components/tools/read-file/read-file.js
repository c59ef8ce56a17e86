// read-file: reads a text file in the workspace, or lists a folder, through the host's files
// import (granted read-only). Paths are relative to the workspace; the host refuses any path
// that leaves it. No approval needed: reading changes nothing.
import { read, listDir } from 'titan:host/files@0.2.0';
import { codeOf, hostError, parseObject } from '../lib/input.js';

const DEFAULT_MAX_BYTES = 100000;
// Below the grant's maxReadBytes (1048576) by more than the 4 bytes read past an ask.
const MAX_BYTES = 1000000;

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: { type: 'string', description: 'A file or folder, relative to the workspace ("." is the workspace itself).' },
    maxBytes: { type: 'integer', minimum: 1, maximum: MAX_BYTES, description: 'Read at most this many bytes of a file (default 100000).' },
  },
};

// Host errors are "CODE: cause"; these codes mean the input named something it may not or that is not there.
const INPUT_CODES = ['TITAN_E_WORKSPACE_PATH', 'ENOENT', 'ENOTDIR', 'EISDIR', 'EBINARY', 'EINVAL'];

function parse(input) {
  const args = parseObject(input, schema, '{"path": string, "maxBytes"?: integer}');
  if (typeof args.path !== 'string') throw { tag: 'invalid-input', val: '"path" must be a string' };
  const maxBytes = args.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_BYTES)
    throw { tag: 'invalid-input', val: `"maxBytes" must be an integer from 1 to ${MAX_BYTES}` };
  return { path: args.path, maxBytes };
}

/** UTF-8 length of a string (QuickJS has no TextEncoder). */
function utf8Length(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The longest prefix of whole characters within `max` UTF-8 bytes. */
function cutToBytes(text, max) {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length;
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > max) break;
    bytes += size;
    i += pair ? 2 : 1;
  }
  return text.slice(0, i);
}

/** @type {typeof import('titan:tool/tool@0.2.0')} */
export const tool = {
  describe() {
    return {
      name: 'read-file',
      description: 'Reads a text file in the workspace, or lists the entries of a folder (folders end in "/").',
      inputSchema: JSON.stringify(schema),
      needsApproval: false,
    };
  },
  invoke(input) {
    const args = parse(input);
    let content;
    try {
      // 4 bytes more than asked: the host cuts back to a whole character (at most 3 bytes), so a
      // longer file still answers more than maxBytes - how a cut is told from a file of that size.
      content = read(args.path, args.maxBytes + 4);
    } catch (e) {
      const error = hostError(e, INPUT_CODES);
      if (codeOf(error.val) !== 'EISDIR') throw error;
      try {
        return JSON.stringify({ path: args.path, entries: listDir(args.path) });
      } catch (e2) {
        throw hostError(e2, INPUT_CODES);
      }
    }
    const truncated = utf8Length(content) > args.maxBytes;
    return JSON.stringify({ path: args.path, content: truncated ? cutToBytes(content, args.maxBytes) : content, truncated });
  },
  /** Checks the input rules and the byte counting without touching the disk. */
  smoke() {
    for (const input of ['', '{}', '{"path":1}', '{"path":"a","maxBytes":0}', '{"path":"a","x":1}']) {
      let tag;
      try {
        parse(input);
      } catch (e) {
        tag = e.tag;
      }
      if (tag !== 'invalid-input') throw 'input ' + JSON.stringify(input) + ' was not refused';
    }
    if (utf8Length('aé✓🚀') !== 10) throw 'utf8Length is wrong';
    if (cutToBytes('aé✓🚀', 6) !== 'aé✓') throw 'cutToBytes is wrong';
  },
};
