// What a swarm asks its model: to split a task into parts that can be worked on at once (answered
// as JSON and checked: a plan Titan cannot run is TITAN_E_SWARM_PLAN), and, once the parts are done
// and merged, to fan their results in to one answer for the user.
import { TitanError } from '../../common/errors.ts';
import type { ChatMessage } from '../loop/llm-types.ts';
import type { AgentModel } from './worker-server.ts';

export type PlannedPart = { title: string; prompt: string };
/** What the fan-in hears about each part. */
export type PartReport = { part: number; title: string; state: string; answer: string | null; reason: string | null; merged: boolean; conflicts: string[] };

const MAX_PROMPT = 16 * 1024;

/** The model's whole text answer (tool calls are not expected here and are ignored). */
export async function ask(model: AgentModel, modelName: string, messages: ChatMessage[], signal?: AbortSignal): Promise<string> {
  let text = '';
  for await (const event of model({ model: modelName, messages, tools: [] }, { signal })) {
    if (event.type === 'text') text += event.text;
    else if (event.type === 'error') throw new TitanError('TITAN_E_PROVIDER_STREAM', `${event.code}: ${event.message}`);
  }
  return text;
}

export function planMessages(task: string, maxParts: number): ChatMessage[] {
  return [
    {
      role: 'system',
      content: [
        `Split the user's task into at most ${maxParts} parts that separate workers can do at the same time, each in its own copy of the same git repository.`,
        'Parts should touch different files where possible: their changes are merged afterwards.',
        'Answer with JSON only: {"parts": [{"title": "short name", "prompt": "complete instructions for that worker"}]}.',
      ].join(' '),
    },
    { role: 'user', content: task },
  ];
}

/** The parts the model planned; TITAN_E_SWARM_PLAN with why when they are not a runnable plan. */
export function parsePlan(text: string, maxParts: number): PlannedPart[] {
  const refuse = (why: string) => new TitanError('TITAN_E_SWARM_PLAN', `${why} (the model answered: ${text.slice(0, 300)})`);
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) throw refuse('the plan is not JSON');
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    throw refuse('the plan is not valid JSON');
  }
  const parts = (value as { parts?: unknown }).parts;
  if (!Array.isArray(parts) || parts.length === 0) throw refuse('the plan has no "parts"');
  if (parts.length > maxParts) throw refuse(`the plan has ${parts.length} parts, more than the ${maxParts} asked for`);
  return parts.map((part: { title?: unknown; prompt?: unknown }, i) => {
    if (typeof part?.prompt !== 'string' || !part.prompt.trim()) throw refuse(`part ${i + 1} has no "prompt"`);
    const title = typeof part.title === 'string' && part.title.trim() ? part.title.trim().slice(0, 120) : `part ${i + 1}`;
    return { title, prompt: part.prompt.slice(0, MAX_PROMPT) };
  });
}

/** What one part's worker is told: its own instructions, and that it is one of several. */
export function partPrompt(task: string, part: PlannedPart, index: number, of: number): string {
  return `${part.prompt}\n\n(This is part ${index} of ${of} of a larger task, "${task.slice(0, 2000)}". Other workers do the other parts at the same time in their own copies; change only what your part needs.)`;
}

export function fanInMessages(task: string, reports: PartReport[], merge: string): ChatMessage[] {
  const lines = reports.map((r) =>
    [
      `Part ${r.part} (${r.title}): ${r.state}${r.reason ? ` - ${r.reason}` : ''}`,
      r.conflicts.length
        ? `  its changes conflict with earlier parts in: ${r.conflicts.join(', ')}`
        : r.merged
          ? '  its changes were merged'
          : '  no changes merged',
      `  result: ${r.answer ?? '(no answer)'}`,
    ].join('\n'),
  );
  return [
    {
      role: 'system',
      content:
        "Several workers did parts of the user's task at once. Combine their results into one answer for the user: what was done, what was not, and any conflicts they must resolve (name the files).",
    },
    { role: 'user', content: `Task: ${task}\n\n${lines.join('\n\n')}\n\nMerge: ${merge}` },
  ];
}
