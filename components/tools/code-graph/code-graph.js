// code-graph: questions about the workspace's code, answered by the code graph the host keeps
// (tree-sitter over TypeScript, JavaScript, Python and Rust): where a name is defined, who calls
// it, what it calls, what is most related to a file or symbol (personalised PageRank), and who
// changed it and why (the git commits that last touched its lines).
import { query } from 'titan:host/code-graph@0.2.0';
import { hostError, parseObject } from '../lib/input.js';

const QUESTIONS = ['definitions', 'callers', 'callees', 'neighbourhood', 'history'];
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 200;

const MAX_HISTORY = 50;

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['question', 'target'],
  properties: {
    question: {
      enum: QUESTIONS,
      description:
        'definitions: where it is defined; callers / callees: who calls it, what it calls; neighbourhood: what is most related; history: who changed it and why (git commits touching its lines).',
    },
    target: {
      type: 'string',
      minLength: 1,
      maxLength: 512,
      description: 'A function, method or class ("parse", "Parser.parse"), or a file path relative to the workspace.',
    },
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, description: `At most this many answers (default ${DEFAULT_LIMIT}).` },
  },
};

function parse(input) {
  const args = parseObject(input, schema, '{"question": "definitions"|"callers"|"callees"|"neighbourhood"|"history", "target": string, "limit"?: integer}');
  if (!QUESTIONS.includes(args.question)) throw { tag: 'invalid-input', val: `"question" must be one of ${QUESTIONS.join(', ')}` };
  if (typeof args.target !== 'string' || args.target.trim() === '' || args.target.length > 512)
    throw { tag: 'invalid-input', val: '"target" must be a non-empty string of at most 512 characters' };
  const limit = args.limit ?? (args.question === 'history' ? 10 : DEFAULT_LIMIT);
  if (args.question === 'history' && limit > MAX_HISTORY) throw { tag: 'invalid-input', val: `"limit" must be at most ${MAX_HISTORY} for history` };
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw { tag: 'invalid-input', val: `"limit" must be an integer from 1 to ${MAX_LIMIT}` };
  return { question: args.question, target: args.target.trim(), limit };
}

/** @type {typeof import('titan:tool/tool@0.2.0')} */
export const tool = {
  describe() {
    return {
      name: 'code-graph',
      description:
        "Answers questions about the workspace's code from its call graph: where a function or class is defined, who calls it, what it calls, what is most related to a file or symbol, or who changed it and why (git history of its lines). Give file:line and commit citations from the answer.",
      inputSchema: JSON.stringify(schema),
      needsApproval: false,
    };
  },
  invoke(input) {
    const args = parse(input);
    try {
      return query(args.question, args.target, args.limit);
    } catch (e) {
      throw hostError(e, ['TITAN_E_CODE_QUERY']);
    }
  },
  /** Checks the input rules without asking the host. */
  smoke() {
    for (const input of [
      '',
      '{}',
      '{"question":"callers"}',
      '{"question":"who","target":"x"}',
      '{"question":"callers","target":""}',
      '{"question":"callers","target":"x","limit":0}',
      '{"question":"history","target":"x","limit":51}',
    ]) {
      let tag;
      try {
        parse(input);
      } catch (e) {
        tag = e.tag;
      }
      if (tag !== 'invalid-input') throw 'input ' + JSON.stringify(input) + ' was not refused';
    }
    if (parse('{"question":"callers","target":" parse "}').target !== 'parse') throw 'the target is not trimmed';
  },
};
