// Anti-loop detection for agent jobs: Titan sees every model answer it proxies, so it (not the
// untrusted worker) notices an agent giving the same answer - the same text and the same tool calls
// with the same arguments - several times in a row, and the job is ended with TITAN_E_JOB_LOOP.
import type { ToolCall } from '../loop/llm-types.ts';

export type ModelAnswer = { text: string; toolCalls: ToolCall[] };

/** The arguments as compact JSON when they are JSON (spacing differences are the same call). */
function canonical(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text.trim();
  }
}

export function describe(answer: ModelAnswer): string {
  if (answer.toolCalls.length === 0) return `the answer "${answer.text.trim().slice(0, 120)}"`;
  return answer.toolCalls.map((c) => `${c.name} ${canonical(c.arguments).slice(0, 120)}`).join(', ');
}

export class LoopGuard {
  readonly #repeats: number;
  #last = '';
  #count = 0;

  /** `repeats`: how many identical answers in a row end the job (at least 2). */
  constructor(repeats: number) {
    this.#repeats = Math.max(2, repeats);
  }

  /** Records an answer; a description of the loop when this answer makes `repeats` in a row. */
  see(answer: ModelAnswer): string | undefined {
    const key = JSON.stringify([answer.text.trim(), answer.toolCalls.map((c) => [c.name, canonical(c.arguments)])]);
    this.#count = key === this.#last ? this.#count + 1 : 1;
    this.#last = key;
    if (this.#count < this.#repeats) return undefined;
    return `the agent gave the same answer ${this.#count} times in a row (${describe(answer)})`;
  }
}
