// shell: runs a command in the workspace through the host's exec import. Its output streams onto
// the kernel's bus while it runs (the host emits each chunk as "stdout"/"stderr" events of this
// call); the answer is the exit status and the whole output. Every call needs a human's approval.
import { run } from 'titan:host/exec@0.2.0';
import { hostError, parseObject } from '../lib/input.js';

const DEFAULT_TIMEOUT_MS = 120000;
const MAX_TIMEOUT_MS = 600000;

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['command'],
  properties: {
    command: { type: 'string', minLength: 1, description: 'The command line, run by /bin/sh -c in the workspace.' },
    cwd: { type: 'string', description: 'A folder relative to the workspace to run in (default: the workspace itself).' },
    timeoutMs: { type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_MS, description: 'Stop the command after this long (default 120000).' },
  },
};

// Host errors are "CODE: cause"; these codes mean the input named something it may not.
const INPUT_CODES = ['TITAN_E_WORKSPACE_PATH', 'ENOENT', 'ENOTDIR', 'ECOMMAND'];

function parse(input) {
  const args = parseObject(input, schema, '{"command": string, "cwd"?: string, "timeoutMs"?: integer}');
  if (typeof args.command !== 'string' || args.command.trim() === '') throw { tag: 'invalid-input', val: '"command" must be a non-empty string' };
  if (args.cwd !== undefined && args.cwd !== null && typeof args.cwd !== 'string') throw { tag: 'invalid-input', val: '"cwd" must be a string' };
  const timeout = args.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_MS) {
    throw { tag: 'invalid-input', val: `"timeoutMs" must be an integer from 1 to ${MAX_TIMEOUT_MS}` };
  }
  return { command: args.command, cwd: typeof args.cwd === 'string' ? args.cwd : undefined, timeoutMs: timeout };
}

/** @type {typeof import('titan:tool/tool@0.2.0')} */
export const tool = {
  describe() {
    return {
      name: 'shell',
      description: 'Runs a shell command in the workspace and returns its exit code and output; output streams while it runs.',
      inputSchema: JSON.stringify(schema),
      needsApproval: true,
    };
  },
  invoke(input) {
    const args = parse(input);
    let status;
    try {
      status = run(args.command, args.cwd, args.timeoutMs);
    } catch (e) {
      throw hostError(e, INPUT_CODES);
    }
    return JSON.stringify({
      exitCode: status.code,
      signal: status.signal ?? null,
      timedOut: status.timedOut,
      cancelled: status.cancelled,
      stdout: status.stdout,
      stderr: status.stderr,
    });
  },
  /** Checks the input rules without running anything. */
  smoke() {
    const refused = ['', '{}', '{"command":""}', '{"command":"ls","timeoutMs":0}', '{"command":"ls","extra":1}'];
    for (const input of refused) {
      let tag;
      try {
        parse(input);
      } catch (e) {
        tag = e.tag;
      }
      if (tag !== 'invalid-input') throw 'input ' + JSON.stringify(input) + ' was not refused';
    }
    if (parse('{"command":"ls"}').timeoutMs !== DEFAULT_TIMEOUT_MS) throw 'the default time limit is wrong';
  },
};
