// Reads a stream of output line by line for what a watcher sub-agent was asked to see: the first
// line matching its pattern, or - shown new lines in batches - a line the model judges to show the
// failure it describes. Calls `onTrigger` once, with that line; what is watched (a tool call, a
// job's log) and how it is stopped is the caller's.
import type { ChatRequest } from '../../loop/llm-types.ts';
import type { LlmStream } from '../../loop/turn.ts';

export type Trigger = { line: string; by: 'pattern' | 'model' };
export type JudgeDeps = {
  llm: LlmStream;
  model: string;
  /** Lines shown to the model at a time. */
  judgeLines: number;
  charge(tokens: number): boolean;
};

/** Lines waiting at most this long before the model sees them, however few. */
const JUDGE_AFTER_MS = 300;
const MAX_LINE = 1000;

/** Asks the model whether any of `lines` shows `failure`: the line it names, or undefined. */
async function judge(deps: JudgeDeps, what: string, failure: string, lines: string[], signal: AbortSignal): Promise<{ line?: string; tokens: number }> {
  const numbered = lines.map((l, i) => `${i + 1}: ${l.slice(0, MAX_LINE)}`).join('\n');
  const request: ChatRequest = {
    model: deps.model,
    tools: [],
    messages: [
      {
        role: 'system',
        content: `You are a sub-agent of Titan watching the output of ${what} for this failure: ${failure}. Answer "STOP <line number>" (or "STOP: <the line>") when a line shows it, otherwise "GO".`,
      },
      { role: 'user', content: `New output lines:\n${numbered}` },
    ],
  };
  let text = '';
  let tokens: number | undefined;
  for await (const event of deps.llm(request, { signal, purpose: 'background' })) {
    if (event.type === 'text') text += event.text;
    else if (event.type === 'usage') tokens = event.input_tokens + event.output_tokens;
  }
  const spent = tokens ?? Math.ceil((numbered.length + text.length) / 4);
  const stop = /\bSTOP\b\s*(?:(\d+)|:\s*(.+))?/i.exec(text);
  if (!stop) return { tokens: spent };
  // The line it quotes, else the line it numbers, else the batch's last line.
  const quoted = stop[2]?.trim();
  const byText = quoted ? lines.find((l) => l.includes(quoted)) : undefined;
  const n = Number(stop[1] ?? lines.length);
  return { line: byText ?? lines[Math.min(Math.max(n, 1), lines.length) - 1], tokens: spent };
}

export class LineWatch {
  readonly #pattern: RegExp | undefined;
  readonly #failure: string | undefined;
  readonly #what: string;
  readonly #deps: JudgeDeps;
  readonly #signal: AbortSignal;
  readonly #onTrigger: (trigger: Trigger) => void;
  readonly #tick: NodeJS.Timeout;
  #partial = '';
  #pending: string[] = [];
  #judging = false;
  #lastJudged = Date.now();
  lines = 0;
  tokens = 0;
  trigger: Trigger | undefined;

  /** `what`: how the model is told what it watches ("the tool \"shell\"", "job 3f2a…"). */
  constructor(spec: { pattern?: string; failure?: string }, what: string, deps: JudgeDeps, signal: AbortSignal, onTrigger: (trigger: Trigger) => void) {
    this.#pattern = spec.pattern ? new RegExp(spec.pattern) : undefined;
    this.#failure = spec.failure;
    this.#what = what;
    this.#deps = deps;
    this.#signal = signal;
    this.#onTrigger = onTrigger;
    this.#tick = setInterval(() => this.#askModel(), JUDGE_AFTER_MS);
  }

  /** A chunk of output as it arrived. */
  push(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#take(line.replace(/\r$/, ''));
  }

  /** The output ended: its last line (without a newline) is read too; no more judgements start. */
  close(): void {
    if (this.#partial) this.#take(this.#partial);
    this.#partial = '';
    clearInterval(this.#tick);
  }

  #stop(line: string, by: Trigger['by']): void {
    if (this.trigger) return;
    this.trigger = { line, by };
    this.#onTrigger(this.trigger);
  }

  #take(line: string): void {
    this.lines++;
    if (this.trigger) return;
    if (this.#pattern?.test(line)) return this.#stop(line, 'pattern');
    if (this.#failure) {
      this.#pending.push(line);
      this.#askModel();
    }
  }

  #askModel(): void {
    const failure = this.#failure;
    if (!failure || this.trigger || this.#judging || this.#pending.length === 0 || this.#signal.aborted) return;
    if (this.#pending.length < this.#deps.judgeLines && Date.now() - this.#lastJudged < JUDGE_AFTER_MS) return;
    const batch = this.#pending.slice(0, this.#deps.judgeLines);
    this.#pending = this.#pending.slice(batch.length);
    this.#judging = true;
    this.#lastJudged = Date.now();
    void judge(this.#deps, this.#what, failure, batch, this.#signal)
      .then((verdict) => {
        this.tokens += verdict.tokens;
        this.#deps.charge(verdict.tokens);
        if (verdict.line !== undefined) this.#stop(verdict.line, 'model');
      })
      .catch(() => {}) // a judgement that failed stops nothing: the pattern (if any) and the output go on
      .finally(() => {
        this.#judging = false;
        this.#askModel();
      });
  }
}
