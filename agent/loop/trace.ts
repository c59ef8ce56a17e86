// Turn traces: a live turn's model streams and tool results, recorded as JSON; replaying a trace
// gives back the same model answers and tool results without a model or a tool running, so a
// turn seen once can be re-run deterministically in a test.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '../../common/atomic-file.ts';
import { TitanError } from '../../common/errors.ts';
import type { LlmEvent } from './llm-types.ts';
import type { LlmStream, ToolInvoker } from './turn.ts';

export type TurnTrace = {
  format: 'titan-turn-trace';
  version: 1;
  turnId: string;
  recordedAt: string;
  steps: Array<{ request: unknown; events: LlmEvent[] }>;
  tools: Array<{ callId: string; name: string; input: string; output?: string; error?: { code: string; message: string } }>;
};

export class TraceRecorder {
  readonly trace: TurnTrace;

  constructor(turnId: string) {
    this.trace = { format: 'titan-turn-trace', version: 1, turnId, recordedAt: new Date().toISOString(), steps: [], tools: [] };
  }

  llm(inner: LlmStream): LlmStream {
    const steps = this.trace.steps;
    return async function* (request, options) {
      const step = { request, events: [] as LlmEvent[] };
      steps.push(step);
      for await (const event of inner(request, options)) {
        step.events.push(event);
        yield event;
      }
    };
  }

  tools(inner: ToolInvoker): ToolInvoker {
    const tools = this.trace.tools;
    return async (name, input, callId) => {
      try {
        const output = await inner(name, input, callId);
        tools.push({ callId, name, input, output });
        return output;
      } catch (error) {
        const { code = 'TITAN_E_COMPONENT_TRAP', message } = error as TitanError;
        tools.push({ callId, name, input, error: { code, message } });
        throw error;
      }
    };
  }

  save(dir: string): Promise<void> {
    return writeJsonAtomic(path.join(dir, `${this.trace.turnId}.json`), this.trace);
  }
}

export async function loadTrace(file: string): Promise<TurnTrace> {
  const trace = JSON.parse(await readFile(file, 'utf8')) as TurnTrace;
  if (trace.format !== 'titan-turn-trace' || trace.version !== 1) throw new TitanError('TITAN_E_ARCHIVE_INVALID', `${file} is not a Titan turn trace`);
  return trace;
}

/** A model and a tool runner that answer exactly what the trace recorded, in order. */
export function replay(trace: TurnTrace): { llm: LlmStream; tools: ToolInvoker } {
  const steps = [...trace.steps];
  const tools = [...trace.tools];
  return {
    llm: async function* () {
      const step = steps.shift();
      if (!step) throw new TitanError('TITAN_E_PROVIDER_STREAM', 'the trace has no more model answers');
      for (const event of step.events) yield event;
    },
    tools: async (name, input) => {
      const index = tools.findIndex((t) => t.name === name && t.input === input);
      if (index < 0) throw new TitanError('TITAN_E_TOOL_UNKNOWN', `the trace has no recorded result for ${name} ${input}`);
      const [recorded] = tools.splice(index, 1);
      if (recorded.error) throw new TitanError(recorded.error.code as 'TITAN_E_COMPONENT_ERROR', recorded.error.message);
      return recorded.output!;
    },
  };
}
