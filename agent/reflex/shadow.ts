// Shadow workers: after a turn, the background model (the local Ollama route when configured)
// predicts up to three likely next requests of the thread, and their answers are precomputed in
// the background (bounded concurrency, an hourly budget) and cached with a TTL. A next request
// whose embedding is close enough to a prediction's is answered from the cache at once.
// A precomputation may run only tools that need no approval and have no side effects; a model
// that asks for any other tool abandons that prediction (nothing runs).
import type { ChatMessage, ChatRequest, ToolCall } from '../loop/llm-types.ts';
import type { LlmStream } from '../loop/turn.ts';
import type { ToolInfo } from '../loop/tool-catalog.ts';
import { words } from '../../components/reflexes/runtime.js';
import { cosine, type Embedder, type Vector } from './embedder.ts';

export type ShadowOptions = {
  llm: LlmStream;
  embedder: Embedder;
  /** The tools the model may see, with their approval and side-effect flags. */
  tools: () => Promise<ToolInfo[]>;
  invokeTool: (name: string, input: string) => Promise<string>;
  concurrency: number;
  budgetPerHour: number;
  ttlMs: number;
  similarity: number;
  onLog?: (message: string) => void;
  now?: () => number;
};

/** requests: the model requests its precomputation took, which a hit saves. */
type Entry = { prompt: string; vector: Vector; keys: string; text: string; expiresAt: number; requests: number };

// Words that shape a question without changing what it asks for.
const FUNCTION_WORDS = new Set([
  'what',
  'whats',
  'is',
  'are',
  'the',
  'a',
  'an',
  'in',
  'on',
  'at',
  'of',
  'for',
  'to',
  'me',
  'my',
  'i',
  'it',
  'how',
  'about',
  'like',
  'please',
  'tell',
  'show',
  'give',
  'do',
  'does',
  'can',
  'could',
  'would',
  'you',
  'right',
  'now',
  'and',
  'so',
  'then',
  'hey',
  'thanks',
]);

/**
 * The words that carry what is asked: a cached answer serves only a request with the same ones,
 * however close the embeddings ("weather in Rome" is near "weather in Paris" and "weather in Rome
 * tomorrow", and neither may get its answer).
 */
export function keyTerms(text: string): string {
  return [
    ...new Set(
      words(text)
        .map((t) => t.w)
        .filter((w) => !FUNCTION_WORDS.has(w)),
    ),
  ]
    .sort()
    .join(' ');
}

const MAX_PREDICTIONS = 3;
const MAX_STEPS = 4;
const PREDICT_INSTRUCTION =
  "Predict the user's most likely next requests in this conversation. Answer with at most 3 lines, one request per line, written as the user would write it, and nothing else.";

export class ShadowWorkers {
  readonly #options: ShadowOptions;
  readonly #cache = new Map<string, Entry[]>();
  readonly #queue: Array<() => Promise<void>> = [];
  #running = 0;
  #spent: number[] = [];
  #closed = false;
  readonly stats = { predictions: 0, precomputed: 0, abandoned: 0, hits: 0, overBudget: 0 };
  /** Model requests spent on predictions and precomputations, and saved by cache hits: whether they pay for themselves. */
  readonly requests = { spent: 0, saved: 0 };

  constructor(options: ShadowOptions) {
    this.#options = options;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  /** A cached answer for the thread's request, removed once served; undefined when none is close. */
  async lookup(threadId: string, prompt: string): Promise<{ text: string; prompt: string; similarity: number } | undefined> {
    const entries = (this.#cache.get(threadId) ?? []).filter((e) => e.expiresAt > this.#now());
    this.#cache.set(threadId, entries);
    if (entries.length === 0) return undefined;
    const [vector] = await this.#options.embedder.embed([prompt]);
    const keys = keyTerms(prompt);
    let best: { entry: Entry; similarity: number } | undefined;
    for (const entry of entries) {
      if (entry.keys !== keys) continue;
      const similarity = cosine(vector, entry.vector);
      if (similarity >= this.#options.similarity && (!best || similarity > best.similarity)) best = { entry, similarity };
    }
    if (!best) return undefined;
    this.#cache.set(
      threadId,
      entries.filter((e) => e !== best.entry),
    );
    this.stats.hits++;
    this.requests.saved += best.entry.requests;
    return { text: best.entry.text, prompt: best.entry.prompt, similarity: best.similarity };
  }

  cached(threadId: string): Array<{ prompt: string; expiresAt: number }> {
    return (this.#cache.get(threadId) ?? []).filter((e) => e.expiresAt > this.#now()).map(({ prompt, expiresAt }) => ({ prompt, expiresAt }));
  }

  /** After a turn: predict and precompute in the background. Never awaited by the request path. */
  afterTurn(threadId: string, history: ChatMessage[]): void {
    if (this.#closed) return;
    void this.#predict(history)
      .then((predictions) => {
        for (const prompt of predictions) this.#schedule(() => this.#precompute(threadId, history, prompt));
      })
      .catch((error: unknown) => this.#options.onLog?.(`shadow prediction failed: ${(error as Error).message}`));
  }

  async #predict(history: ChatMessage[]): Promise<string[]> {
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

  #schedule(job: () => Promise<void>): void {
    const hourAgo = this.#now() - 3600_000;
    this.#spent = this.#spent.filter((t) => t > hourAgo);
    if (this.#spent.length >= this.#options.budgetPerHour) {
      this.stats.overBudget++;
      return;
    }
    this.#spent.push(this.#now());
    this.#queue.push(job);
    this.#pump();
  }

  #pump(): void {
    while (this.#running < this.#options.concurrency && this.#queue.length > 0 && !this.#closed) {
      const job = this.#queue.shift()!;
      this.#running++;
      void job()
        .catch((error: unknown) => this.#options.onLog?.(`shadow precompute failed: ${(error as Error).message}`))
        .finally(() => {
          this.#running--;
          this.#pump();
        });
    }
  }

  async #precompute(threadId: string, history: ChatMessage[], prompt: string): Promise<void> {
    const tools = await this.#options.tools();
    const safe = tools.filter((t) => !t.needsApproval && !t.sideEffects);
    const messages: ChatMessage[] = [...history, { role: 'user', content: prompt }];
    let answer = '';
    let requests = 0;
    for (let step = 0; step < MAX_STEPS; step++) {
      requests++;
      const { text, calls } = await this.#complete({
        model: '',
        messages,
        tools: safe.map(({ name, description, schema }) => ({ name, description, schema })),
      });
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
        const output = await this.#options
          .invokeTool(call.name, call.arguments || '{}')
          .catch((error: unknown) => JSON.stringify({ error: (error as Error).message }));
        messages.push({ role: 'tool', content: output, tool_call_id: call.id, name: call.name });
      }
      if (step === MAX_STEPS - 1) return;
    }
    if (!answer.trim() || this.#closed) return;
    const [vector] = await this.#options.embedder.embed([prompt]);
    const entries = (this.#cache.get(threadId) ?? []).filter((e) => e.expiresAt > this.#now() && e.prompt !== prompt);
    entries.push({ prompt, vector, keys: keyTerms(prompt), text: answer, expiresAt: this.#now() + this.#options.ttlMs, requests });
    this.#cache.set(threadId, entries);
    this.stats.precomputed++;
  }

  async #complete(request: ChatRequest): Promise<{ text: string; calls: ToolCall[] }> {
    let text = '';
    const drafts = new Map<number, ToolCall>();
    const abort = new AbortController();
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

  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#cache.clear();
  }
}
