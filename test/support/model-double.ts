// A model stand-in at the level of Titan's LLM events (the provider components and the scripted
// HTTP server are tested on their own): each request gets the next scripted step.
import type { TitanError } from '../../common/errors.ts';
import type { LlmEvent } from '../../agent/loop/llm-types.ts';
import type { LlmStream } from '../../agent/loop/turn.ts';

export type Step = Array<LlmEvent | { wait: number } | { fail: TitanError }>;

export function scriptedModel(steps: Step[]): LlmStream & { requests: unknown[] } {
  const requests: unknown[] = [];
  const stream = async function* (request: unknown, { signal }: { signal: AbortSignal }) {
    requests.push(request);
    const step = steps.shift() ?? [
      { type: 'text', text: '(no more script)' },
      { type: 'stop', reason: 'end_turn' },
    ];
    for (const item of step) {
      if (signal.aborted) throw signal.reason;
      if ('wait' in item) {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, item.wait);
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve(undefined);
            },
            { once: true },
          );
        });
        continue;
      }
      if ('fail' in item) throw item.fail;
      await new Promise((resolve) => setImmediate(resolve));
      yield item;
    }
  };
  return Object.assign(stream, { requests });
}

/** A tool call's events, its JSON arguments split into `pieces` deltas. */
export function toolCall(index: number, id: string, name: string, args: object, pieces = 4): LlmEvent[] {
  const text = JSON.stringify(args);
  const size = Math.ceil(text.length / pieces);
  return Array.from({ length: pieces }, (_, i) => ({
    type: 'tool_call' as const,
    index,
    ...(i === 0 ? { id, name } : {}),
    arguments_delta: text.slice(i * size, (i + 1) * size),
  }));
}
