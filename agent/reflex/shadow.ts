// Shadow workers: after a turn, the background model (the local Ollama route when configured)
// predicts up to three likely next requests of the thread, and their answers are precomputed in
// the background (bounded concurrency, an hourly budget of model requests) and cached with a TTL.
// A next request that means what a prediction asked (shadow-match.ts) is answered from the cache
// at once. A precomputation may run only tools that need no approval and have no side effects; a
// model that asks for any other tool abandons that prediction (nothing runs).
import type { ChatMessage, ChatRequest, ToolCall } from '../loop/llm-types.ts';
import type { LlmStream } from '../loop/turn.ts';
import type { ToolInfo } from '../loop/tool-catalog.ts';
import type { Embedder } from './embedder.ts';
import { namedValues, predictionKey, sameRequest, type PredictionKey } from './shadow-match.ts';

export type ShadowOptions = {
  llm: LlmStream;
  embedder: Embedder;
  /** The tools the model may see, with their approval and side-effect flags. */
  tools: () => Promise<ToolInfo[]>;
  invokeTool: (name: string, input: string) => Promise<string>;
  concurrency: number;
  /** Model requests (predictions and precomputation steps) per hour at most. */
  budgetPerHour: number;
  ttlMs: number;
  similarity: number;
  onLog?: (message: string) => void;
  now?: () => number;
};

/** requests: the model requests its precomputation took, which a hit saves. */
type Entry = { prompt: string; key: PredictionKey; text: string; expiresAt: number; requests: number };

/** A model request the hourly budget has no room for: the prediction or precomputation stops there. */
class OverBudget extends Error {}

/** Requests a precomputation sets aside from the budget when it is scheduled: a tool call and the answer. */
type Ticket = { reserved: number };
const STEPS_SET_ASIDE = 2;
const MAX_PREDICTIONS = 3;
const MAX_STEPS = 4;
const PREDICT_INSTRUCTION =
  "Predict the user's most likely next requests in this conversation. Answer with at most 3 lines, one request per line, written as the user would write it, and nothing else.";

export class ShadowWorkers {
  readonly #options: ShadowOptions;
  readonly #cache = new Map<string, Entry[]>();
  readonly #queue: Array<() => Promise<void>> = [];
  /** Requests set aside for the queued and running precomputations' first steps (a tool call and the answer). */
  #reserved = 0;
  #running = 0;
  #spent: number[] = [];
  #closed = false;
  /** Deleted threads: a precomputation still running for one is not cached when it ends. */
  readonly #forgotten = new Set<string>();
  readonly stats = { predictions: 0, precomputed: 0, abandoned: 0, hits: 0, overBudget: 0 };
  /** Model requests spent on predictions and precomputations, and saved by cache hits: whether they pay for themselves. */
  readonly requests = { spent: 0, saved: 0 };

  constructor(options: ShadowOptions) {
    this.#options = options;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  /** A cached answer for the thread's request, removed once served; undefined when no prediction means it. */
  async lookup(threadId: string, prompt: string): Promise<{ text: string; prompt: string } | undefined> {
    const entries = this.#live(threadId);
    let found: Entry | undefined;
    for (const entry of entries) {
      if (await sameRequest(this.#options.embedder, prompt, entry.key, this.#options.similarity)) {
        found = entry;
        break;
      }
    }
    if (!found) return undefined;
    this.#keep(
      threadId,
      entries.filter((e) => e !== found),
    );
    this.stats.hits++;
    this.requests.saved += found.requests;
    return { text: found.text, prompt: found.prompt };
  }

  /** The thread's unexpired entries; a thread left with none is dropped from the map (one key per thread ever asked would grow without end). */
  #live(threadId: string): Entry[] {
    const entries = (this.#cache.get(threadId) ?? []).filter((e) => e.expiresAt > this.#now());
    this.#keep(threadId, entries);
    return entries;
  }

  #keep(threadId: string, entries: Entry[]): void {
    if (entries.length > 0) this.#cache.set(threadId, entries);
    else this.#cache.delete(threadId);
  }

  /** Threads with cached answers. */
  get threads(): number {
    return this.#cache.size;
  }

  cached(threadId: string): Array<{ prompt: string; expiresAt: number }> {
    return (this.#cache.get(threadId) ?? []).filter((e) => e.expiresAt > this.#now()).map(({ prompt, expiresAt }) => ({ prompt, expiresAt }));
  }

  /** After a turn: predict and precompute in the background. Never awaited by the request path. */
  afterTurn(threadId: string, history: ChatMessage[]): void {
    if (this.#closed) return;
    void this.#predict(history)
      .then((predictions) => {
        for (const prompt of predictions) this.#schedule((ticket) => this.#precompute(threadId, history, prompt, ticket));
      })
      .catch((error: unknown) => this.#options.onLog?.(`shadow prediction failed: ${(error as Error).message}`));
  }

  async #predict(history: ChatMessage[]): Promise<string[]> {
    // A prediction is worth its request only if one precomputation can follow it.
    if (this.#available() < 1 + STEPS_SET_ASIDE) {
      this.stats.overBudget++;
      return [];
    }
    const recent = history.filter((m) => m.role !== 'system' && m.role !== 'tool' && m.content).slice(-6);
    const request: ChatRequest = {
      model: '',
      tools: [],
      messages: [
        { role: 'system', content: PREDICT_INSTRUCTION },
        ...recent.map((m) => ({ role: m.role, content: m.content }) as ChatMessage),
        { role: 'user', content: PREDICT_INSTRUCTION },
      ],
    };
    const { text } = await this.#complete(request);
    const lines = text
      .split('\n')
      .map((l) => l.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
      .filter((l) => l.length > 0 && l.length <= 500);
    this.stats.predictions += Math.min(lines.length, MAX_PREDICTIONS);
    return lines.slice(0, MAX_PREDICTIONS);
  }

  /** Model requests the hourly budget still allows. */
  #available(): number {
    const hourAgo = this.#now() - 3600_000;
    this.#spent = this.#spent.filter((t) => t > hourAgo);
    return this.#options.budgetPerHour - this.#spent.length - this.#reserved;
  }

  /** A precomputation runs only if its first two requests fit the budget; they are set aside for it until it ends. */
  #schedule(job: (ticket: Ticket) => Promise<void>): void {
    if (this.#available() < STEPS_SET_ASIDE) {
      this.stats.overBudget++;
      return;
    }
    const ticket = { reserved: STEPS_SET_ASIDE };
    this.#reserved += STEPS_SET_ASIDE;
    this.#queue.push(() =>
      job(ticket).finally(() => {
        this.#reserved -= ticket.reserved;
        ticket.reserved = 0;
      }),
    );
    this.#pump();
  }

  #pump(): void {
    while (this.#running < this.#options.concurrency && this.#queue.length > 0 && !this.#closed) {
      const job = this.#queue.shift()!;
      this.#running++;
      void job()
        .catch((error: unknown) => {
          if (error instanceof OverBudget) this.stats.overBudget++;
          else this.#options.onLog?.(`shadow precompute failed: ${(error as Error).message}`);
        })
        .finally(() => {
          this.#running--;
          this.#pump();
        });
    }
  }

  async #precompute(threadId: string, history: ChatMessage[], prompt: string, ticket: Ticket): Promise<void> {
    const tools = await this.#options.tools();
    const safe = tools.filter((t) => !t.needsApproval && !t.sideEffects);
    const messages: ChatMessage[] = [...history, { role: 'user', content: prompt }];
    let answer = '';
    let requests = 0;
    const argumentsJson: string[] = [];
    for (let step = 0; step < MAX_STEPS; step++) {
      requests++;
      const { text, calls } = await this.#complete(
        {
          model: '',
          messages,
          tools: safe.map(({ name, description, schema }) => ({ name, description, schema })),
        },
        ticket,
      );
      answer += text;
      if (calls.length === 0) break;
      // Only tools that change nothing and need nobody's approval; anything else abandons it.
      const refused = calls.find((c) => !safe.some((t) => t.name === c.name));
      if (refused) {
        this.stats.abandoned++;
        this.#options.onLog?.(`shadow prediction "${prompt}" abandoned: it would call ${refused.name}, which needs approval or has side effects`);
        return;
      }
      messages.push({ role: 'assistant', content: text, tool_calls: calls });
      for (const call of calls) {
        argumentsJson.push(call.arguments);
        const output = await this.#options
          .invokeTool(call.name, call.arguments || '{}')
          .catch((error: unknown) => JSON.stringify({ error: (error as Error).message }));
        messages.push({ role: 'tool', content: output, tool_call_id: call.id, name: call.name });
      }
      if (step === MAX_STEPS - 1) return;
    }
    if (!answer.trim() || this.#closed || this.#forgotten.has(threadId)) return;
    const key = await predictionKey(this.#options.embedder, prompt, namedValues(prompt, argumentsJson));
    if (this.#forgotten.has(threadId)) return; // deleted while its key was worked out
    const entries = this.#live(threadId).filter((e) => e.prompt !== prompt);
    entries.push({ prompt, key, text: answer, expiresAt: this.#now() + this.#options.ttlMs, requests });
    this.#keep(threadId, entries);
    this.stats.precomputed++;
  }

  async #complete(request: ChatRequest, ticket?: Ticket): Promise<{ text: string; calls: ToolCall[] }> {
    let text = '';
    const drafts = new Map<number, ToolCall>();
    const abort = new AbortController();
    // Every request is counted against the hourly budget before it is made: the budget is never passed.
    if (ticket && ticket.reserved > 0) {
      ticket.reserved--;
      this.#reserved--;
    } else if (this.#available() <= 0) throw new OverBudget('the hourly budget of shadow model requests is spent');
    this.#spent.push(this.#now());
    this.requests.spent++;
    for await (const event of this.#options.llm(request, { signal: abort.signal, purpose: 'background' })) {
      if (event.type === 'text') text += event.text;
      else if (event.type === 'tool_call') {
        const draft = drafts.get(event.index) ?? { id: event.id ?? `shadow_${event.index}`, name: event.name ?? '', arguments: '' };
        if (event.name && !draft.name) draft.name = event.name;
        draft.arguments += event.arguments_delta;
        drafts.set(event.index, draft);
      } else if (event.type === 'error') throw new Error(`${event.code}: ${event.message}`);
    }
    return { text, calls: [...drafts.values()] };
  }

  /** The threads were deleted: their cached answers go now, and any still being computed are dropped. Answers how many went. */
  forget(threadIds: Iterable<string>): number {
    let dropped = 0;
    for (const id of threadIds) {
      dropped += this.#cache.get(id)?.length ?? 0;
      this.#cache.delete(id);
      this.#forgotten.add(id);
      // Thread ids are unique; the oldest remembered deletion goes first once many were seen.
      if (this.#forgotten.size > 10_000) this.#forgotten.delete(this.#forgotten.values().next().value!);
    }
    return dropped;
  }

  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#cache.clear();
  }
}
