// One sub-agent: a model turn with its own narrow context (its brief, no thread, no identity, no
// memory) and only the tools it was granted, looping while the model calls them (up to maxSteps
// answers). Every answer's tokens are charged to the swarm's budget; once the budget is spent the
// sub-agent stops before asking the model again. Also what a peer runs for a brief it was sent.
import { randomUUID } from 'node:crypto';
import { TitanError } from '../../../common/errors.ts';
import type { ChatMessage, ChatRequest, ToolCall } from '../../loop/llm-types.ts';
import type { ToolInfo } from '../../loop/tool-catalog.ts';
import type { LlmStream } from '../../loop/turn.ts';
import type { SubAgentAnswer, SubAgentBrief } from './types.ts';

export type SubAgentDeps = {
  llm: LlmStream;
  model: string;
  /** The granted tools only: nothing else is offered to the model or run. */
  tools: ToolInfo[];
  invoke(name: string, input: string, callId: string): Promise<string>;
  checkArguments(tool: ToolInfo, args: unknown): void;
  /** Stops a running tool call (the sub-agent timed out). */
  cancel(callId: string): void;
  /** Charges tokens to the swarm; answers false once its budget is spent. */
  charge(tokens: number): boolean;
};

/** Tool output a sub-agent reads back, per call: its context stays narrow. */
const MAX_TOOL_TEXT = 8000;
/** Providers that report no usage: about four characters a token. */
const estimate = (chars: number) => Math.ceil(chars / 4);

export function briefMessages(brief: SubAgentBrief): ChatMessage[] {
  const system = [
    `You are a sub-agent of Titan with one narrow task: ${brief.title}.`,
    'Work only on that task, with only the tools you are given, and answer with your findings alone, briefly.',
    ...(brief.context ? ['', 'Context for the task:', brief.context] : []),
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: brief.prompt },
  ];
}

/** Runs the brief to the model's last answer; rejects with a coded error (or the signal's reason when stopped). */
export async function runSubAgent(brief: SubAgentBrief, deps: SubAgentDeps, signal: AbortSignal): Promise<SubAgentAnswer> {
  const messages = briefMessages(brief);
  const byName = new Map(deps.tools.map((t) => [t.name, t]));
  let tokens = 0;
  for (let step = 0; step < brief.maxSteps; step++) {
    signal.throwIfAborted();
    const request: ChatRequest = {
      model: deps.model,
      messages,
      tools: deps.tools.map(({ name, description, schema }) => ({ name, description, schema })),
    };
    const answer = await stream(deps.llm, request, signal);
    tokens += answer.tokens;
    const withinBudget = deps.charge(answer.tokens);
    if (answer.calls.length === 0) return { text: answer.text.trim(), tokens };
    if (!withinBudget)
      throw Object.assign(new TitanError('TITAN_E_SUBAGENT_BUDGET', "the swarm's token budget was spent while this sub-agent worked"), { tokens });
    messages.push({ role: 'assistant', content: answer.text, tool_calls: answer.calls });
    for (const call of answer.calls) {
      messages.push({ role: 'tool', tool_call_id: call.id, name: call.name, content: await runTool(call, byName.get(call.name), deps, signal) });
    }
  }
  throw Object.assign(new TitanError('TITAN_E_SUBAGENT_FAILED', `the model kept calling tools for ${brief.maxSteps} answers (swarm.maxSteps)`), { tokens });
}

/** One model answer: its text, its tool calls, and the tokens it cost. */
async function stream(llm: LlmStream, request: ChatRequest, signal: AbortSignal): Promise<{ text: string; calls: ToolCall[]; tokens: number }> {
  let text = '';
  let usage: number | undefined;
  const drafts = new Map<number, ToolCall>();
  try {
    for await (const event of llm(request, { signal, purpose: 'background' })) {
      if (event.type === 'text') text += event.text;
      else if (event.type === 'tool_call') {
        let draft = drafts.get(event.index);
        if (!draft) drafts.set(event.index, (draft = { id: event.id ?? `call_${randomUUID()}`, name: event.name ?? '', arguments: '' }));
        if (event.name && !draft.name) draft.name = event.name;
        draft.arguments += event.arguments_delta;
      } else if (event.type === 'usage') usage = event.input_tokens + event.output_tokens;
      else if (event.type === 'error') throw new TitanError('TITAN_E_SUBAGENT_FAILED', `the model failed: ${event.code}: ${event.message}`);
    }
  } catch (error) {
    // Stopped (a timeout, a cancel): the caller reads why from the signal. Otherwise the model failed this sub-agent.
    if (signal.aborted || (error instanceof TitanError && error.code === 'TITAN_E_SUBAGENT_FAILED')) throw error;
    const coded = error instanceof TitanError ? `${error.code}: ${error.message}` : String((error as Error)?.message ?? error);
    throw new TitanError('TITAN_E_SUBAGENT_FAILED', `the model failed: ${coded}`);
  }
  const calls = [...drafts.entries()].sort(([a], [b]) => a - b).map(([, d]) => d);
  const asked = request.messages.reduce((n, m) => n + m.content.length, 0);
  const said = text.length + calls.reduce((n, c) => n + c.arguments.length, 0);
  return { text, calls, tokens: usage ?? estimate(asked) + estimate(said) };
}

/** A granted tool's output (or why it did not run) as the model reads it; never throws but for a stop. */
async function runTool(call: ToolCall, tool: ToolInfo | undefined, deps: SubAgentDeps, signal: AbortSignal): Promise<string> {
  const failed = (code: string, message: string) => JSON.stringify({ error: { code, message } });
  if (!tool) return failed('TITAN_E_SUBAGENT_GRANT', `"${call.name}" is not one of the tools granted to this sub-agent`);
  let args: unknown;
  try {
    args = JSON.parse(call.arguments || '{}');
    deps.checkArguments(tool, args);
  } catch (error) {
    const coded = error instanceof TitanError ? error : new TitanError('TITAN_E_TOOL_ARGUMENTS', `the arguments of ${call.name} are not valid JSON`);
    return failed(coded.code, coded.message);
  }
  const callId = `swarm:${randomUUID()}`;
  const stop = () => deps.cancel(callId);
  signal.addEventListener('abort', stop, { once: true });
  try {
    const output = await deps.invoke(call.name, JSON.stringify(args), callId);
    return output.length > MAX_TOOL_TEXT ? `${output.slice(0, MAX_TOOL_TEXT)}... (cut)` : output;
  } catch (error) {
    signal.throwIfAborted();
    const coded = error instanceof TitanError ? error : new TitanError('TITAN_E_COMPONENT_TRAP', String((error as Error)?.message ?? error));
    return failed(coded.code, coded.message);
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
