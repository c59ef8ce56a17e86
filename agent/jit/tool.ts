// The `jit` tool: the model writes a one-off tool (the body of a function of (input, tools)) and
// runs it at once, in a worker under limits, reaching only the tools it names in `grant`; the
// owner approves each run (the approval shows the source and the grant), and nothing of it is kept.
import type { Kernel } from '../../kernel/kernel.ts';
import type { ToolInfo, ToolSource } from '../loop/tool-catalog.ts';

export const JIT_TOOL = 'jit';

const DESCRIPTION = [
  'Write and run a one-off tool for a task no other tool does (parse, count, transform, compute, combine tool results).',
  '`source` is the body of a JavaScript function of (input, tools) that returns a JSON value; `input` is passed to it.',
  'It may call other tools only as `tools.call("name", {...})` for the names listed in `grant` (none by default).',
  'No network, files or clock of its own; 1 s and 32 MiB by default. It is discarded after the run.',
].join(' ');

const SCHEMA = {
  type: 'object',
  required: ['source'],
  additionalProperties: false,
  properties: {
    source: { type: 'string', minLength: 1, maxLength: 65536, description: 'function body; `return` the answer' },
    input: { description: 'any JSON value, given to the function as `input`' },
    grant: { type: 'array', maxItems: 16, items: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' }, description: 'tools it may call' },
    timeoutMs: { type: 'integer', minimum: 10, maximum: 30000 },
    memoryMb: { type: 'integer', minimum: 8, maximum: 256 },
  },
};

type Call = { source: string; input?: unknown; grant?: string[]; timeoutMs?: number; memoryMb?: number };

export class JitTool implements ToolSource {
  readonly #kernel: Kernel;

  constructor(kernel: Kernel) {
    this.#kernel = kernel;
  }

  tools(): ToolInfo[] {
    return [{ name: JIT_TOOL, description: DESCRIPTION, schema: SCHEMA, needsApproval: true, digest: 'host:jit@1', sideEffects: true }];
  }

  owns(name: string): boolean {
    return name === JIT_TOOL;
  }

  cancel(): void {}

  async invoke(_name: string, input: string): Promise<string> {
    const call = JSON.parse(input) as Call;
    const result = await this.#kernel.jit.run({ ...call, path: 'runtime' });
    return JSON.stringify({ output: result.output, ms: Math.round(result.ms) });
  }
}
