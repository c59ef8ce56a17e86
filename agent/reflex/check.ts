// The background check of a reflex answer against the model: the model answers the same prompt
// on its own (background purpose, tools that change nothing only), and the two agree when the
// whole answers do: every word of the reflex's answer, its template's literal text included (a
// literal offset "UTC+01:00" is as wrong as a wrong value), stands in the model's answer, and
// every number and name of the model's answer stands in the reflex's (a list written in part, a
// wrong count).
import { words } from '../../components/reflexes/runtime.js';
import type { ChatMessage, ToolCall } from '../loop/llm-types.ts';
import type { ToolInfo } from '../loop/tool-catalog.ts';
import type { LlmStream } from '../loop/turn.ts';

const MAX_STEPS = 4;

/** The model's own answer to a prompt, or undefined when it would need a tool that changes things. */
export async function askModel(
  llm: LlmStream,
  tools: ToolInfo[],
  invoke: (name: string, input: string) => Promise<string>,
  prompt: string,
): Promise<string | undefined> {
  const safe = tools.filter((t) => !t.needsApproval && !t.sideEffects);
  const messages: ChatMessage[] = [{ role: 'user', content: prompt }];
  let answer = '';
  for (let step = 0; step < MAX_STEPS; step++) {
    let text = '';
    const calls = new Map<number, ToolCall>();
    for await (const event of llm(
      { model: '', messages, tools: safe.map(({ name, description, schema }) => ({ name, description, schema })) },
      { signal: new AbortController().signal, purpose: 'background' },
    )) {
      if (event.type === 'text') text += event.text;
      else if (event.type === 'tool_call') {
        const call = calls.get(event.index) ?? { id: event.id ?? `check_${event.index}`, name: event.name ?? '', arguments: '' };
        if (event.name && !call.name) call.name = event.name;
        call.arguments += event.arguments_delta;
        calls.set(event.index, call);
      } else if (event.type === 'error') throw new Error(`${event.code}: ${event.message}`);
    }
    answer += text;
    if (calls.size === 0) return answer;
    if ([...calls.values()].some((c) => !safe.some((t) => t.name === c.name))) return undefined;
    messages.push({ role: 'assistant', content: text, tool_calls: [...calls.values()] });
    for (const call of calls.values()) {
      const output = await invoke(call.name, call.arguments || '{}').catch((error: unknown) => JSON.stringify({ error: (error as Error).message }));
      messages.push({ role: 'tool', content: output, tool_call_id: call.id, name: call.name });
    }
  }
  return undefined;
}

/** A number, or a capitalised word that does not open a sentence: what an answer must not lose. */
function isValue(text: string, start: number, word: string): boolean {
  if (/\p{N}/u.test(word)) return true;
  if (!/^\p{Lu}/u.test(text.slice(start))) return false;
  return !/(^|[.!?:]\s*|\n\s*[-*]?\s*)$/u.test(text.slice(0, start));
}

export function agrees(reflexAnswer: string, modelAnswer: string): boolean {
  const model = new Set(words(modelAnswer).map((t) => t.w));
  const reflex = new Set(words(reflexAnswer).map((t) => t.w));
  if (![...reflex].every((w) => model.has(w))) return false;
  return words(modelAnswer).every((t) => reflex.has(t.w) || !isValue(modelAnswer, t.start, t.w));
}

/** Whether a reflex's n-th answer is checked (deterministic sampling): every round(1/rate)-th, starting with the first. */
export function sampled(hits: number, rate: number): boolean {
  if (rate <= 0) return false;
  return (hits - 1) % Math.max(1, Math.round(1 / rate)) === 0;
}

/** A reflex answer checked against the model's own: undefined when the model would need a tool that changes things. */
export async function checkAnswer(
  llm: LlmStream,
  tools: ToolInfo[],
  invoke: (name: string, input: string) => Promise<string>,
  prompt: string,
  answer: string,
): Promise<{ agreed: boolean; model: string } | undefined> {
  const model = await askModel(llm, tools, invoke, prompt);
  return model === undefined ? undefined : { agreed: agrees(answer, model), model };
}
