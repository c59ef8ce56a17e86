// The same request asked again in a thread, answered without the model: after a model turn whose
// tools are all read-only (no approval, no side effects), its plan (the tool calls with their
// arguments, every one written in the request), results and answer are kept. When the same words come again, the tools run again
// (the answer is about now, not about then): the same results give the same answer; other results
// give the answer rendered from its template, but only for a single call whose every changed
// field the answer states (a bound value or list); anything else goes to the model.
import { render, words, type AnswerPart, type ResultPath } from '../../components/reflexes/runtime.js';
import type { Kernel } from '../../kernel/kernel.ts';
import type { ToolCatalog } from '../loop/tool-catalog.ts';
import { answerTemplate, explains, parseResults } from './answer-template.ts';
import type { ObservedTurn } from './miner.ts';
import { observedTurn } from './records.ts';

type Repeat = { calls: ObservedTurn['calls']; results: unknown[]; answer: string; parts?: AnswerPart[]; at: number };

const MAX_KEPT = 500;
const KEPT_MS = 3600_000;

const keyOf = (threadId: string, prompt: string) =>
  `${threadId}\n${words(prompt)
    .map((t) => t.w)
    .join(' ')}`;

const said = (text: string) =>
  ` ${words(text)
    .map((t) => t.w)
    .join(' ')} `;

/**
 * Whether the prompt alone decides the plan: every value passed to a tool is written in it. A
 * follow-up ("and tomorrow?") whose values came from the conversation may mean another thing when
 * asked again later in the thread.
 */
function planFromPrompt(prompt: string, calls: ObservedTurn['calls']): boolean {
  const text = said(prompt);
  const values = calls.flatMap((c) => [...leaves(c.args).values()]);
  return values.every((v) => (typeof v === 'string' || typeof v === 'number') && text.includes(said(String(v))));
}

/** Every leaf of a JSON value with its path. */
function leaves(value: unknown, path: ResultPath = [], out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, [...path, Array.isArray(value) ? Number(k) : k], out);
  } else out.set(JSON.stringify(path), value);
  return out;
}

/** Whether the template states every field that differs between the two results (of call 0). */
function statesChanges(parts: AnswerPart[], before: unknown, after: unknown): boolean {
  const old = leaves(before);
  const now = leaves(after);
  const changed = [...new Set([...old.keys(), ...now.keys()])].filter((p) => old.get(p) !== now.get(p)).map((p) => JSON.parse(p) as ResultPath);
  const prefix = (list: ResultPath, path: ResultPath) => list.every((k, i) => path[i] === k);
  return changed.every((path) =>
    parts.some((part) => {
      if ('call' in part) return JSON.stringify(part.path) === JSON.stringify(path);
      if ('list' in part && prefix(part.list.path, path)) {
        // A field of an item: one the item's text states; a new or removed item: the whole list is rendered.
        const field = path.slice(part.list.path.length + 1);
        return field.length === 0 || part.item.some((i) => 'field' in i && JSON.stringify(i.field) === JSON.stringify(field)) || !now.has(JSON.stringify(path));
      }
      return false;
    }),
  );
}

export class Repeats {
  readonly #kernel: Kernel;
  readonly #tools: ToolCatalog;
  readonly #kept = new Map<string, Repeat>();
  /** Requests the user sent to the model instead: never answered again from a first answer. */
  readonly #refused = new Set<string>();
  /** Turns of this run that started a tool: only they can be kept, so only they are read back when they complete. */
  readonly #calledTools = new Set<string>();
  readonly #warn: (message: string) => void;

  constructor(kernel: Kernel, tools: ToolCatalog, warn: (message: string) => void) {
    this.#kernel = kernel;
    this.#tools = tools;
    this.#warn = warn;
  }

  /** A turn started a tool call (its tool.started event): when it completes, it is read back and may be kept. */
  toolStarted(turnId: string): void {
    this.#calledTools.add(turnId);
    // A turn that never completes (failed, interrupted) leaves its id: the oldest go first.
    if (this.#calledTools.size > MAX_KEPT) this.#calledTools.delete(this.#calledTools.values().next().value as string);
  }

  /**
   * After a model turn (in the background): the turn as the store has it, learned. A turn that
   * called no tool is never kept, so it is not read back (on a busy thread that read cost more
   * than a millisecond a turn).
   */
  async afterTurn(threadId: string, turnId: string): Promise<void> {
    if (!this.#calledTools.delete(turnId)) return;
    try {
      // That turn alone (a burst of turns completing at once each read the last 20 before).
      const turn = await observedTurn(this.#kernel.store, turnId);
      if (turn) await this.learn(threadId, turn);
    } catch (error) {
      this.#warn(`a request was not kept for asking again: ${(error as Error).message}`);
    }
  }

  /** After a model turn: kept when it called tools and all of them change nothing. */
  async learn(threadId: string, turn: ObservedTurn): Promise<void> {
    if (turn.calls.length === 0) return;
    const tools = await this.#tools.list();
    if (!turn.calls.every((c) => tools.some((t) => t.name === c.tool && !t.needsApproval && !t.sideEffects))) return;
    if (!planFromPrompt(turn.prompt, turn.calls)) return;
    const results = parseResults(turn.calls.map((c) => c.result));
    const template = turn.calls.length === 1 ? answerTemplate({ slots: new Map(), results, answer: turn.answer }) : undefined;
    const parts = template && 'parts' in template && explains(template.parts, { slots: new Map(), results, answer: turn.answer }) ? template.parts : undefined;
    const key = keyOf(threadId, turn.prompt);
    if (this.#refused.has(key)) return;
    this.#kept.delete(key);
    this.#kept.set(key, { calls: turn.calls, results, answer: turn.answer, parts, at: Date.now() });
    for (const oldest of this.#kept.keys()) {
      if (this.#kept.size <= MAX_KEPT) break;
      this.#kept.delete(oldest);
    }
  }

  /** The answer to a request asked before in the thread, with its tools run again; undefined: the model answers. */
  async answer(threadId: string, prompt: string): Promise<string | undefined> {
    const key = keyOf(threadId, prompt);
    const kept = this.#kept.get(key);
    if (!kept) return undefined;
    if (Date.now() - kept.at > KEPT_MS) {
      this.#kept.delete(key);
      return undefined;
    }
    const results: unknown[] = [];
    for (const call of kept.calls) {
      const output = (await this.#kernel.call('tool', call.tool, 'invoke', [JSON.stringify(call.args)])) as string;
      results.push(parseResults([output])[0]);
    }
    if (JSON.stringify(results) === JSON.stringify(kept.results)) return kept.answer;
    if (!kept.parts || !statesChanges(kept.parts, kept.results[0], results[0])) return undefined;
    try {
      return render(kept.parts, {}, results);
    } catch {
      return undefined;
    }
  }

  /** Requests kept to be answered again. */
  get size(): number {
    return this.#kept.size;
  }

  /** The user asked the model instead: this request in this thread always goes to the model. */
  forget(threadId: string, prompt: string): void {
    const key = keyOf(threadId, prompt);
    this.#kept.delete(key);
    this.#refused.add(key);
    if (this.#refused.size > MAX_KEPT) this.#refused.delete(this.#refused.values().next().value as string);
  }
}
