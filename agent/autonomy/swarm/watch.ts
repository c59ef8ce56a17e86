// A sub-agent watching a streaming tool call (a long shell command, a job's log): its output is
// read line by line as it arrives (the kernel's component events for the call) and the call is
// cancelled at the first line that matches the pattern, or that the model, shown the new lines in
// batches, judges to show the failure it was asked to watch for. The early stop keeps that line.
import { randomUUID } from 'node:crypto';
import type { LlmStream } from '../../loop/turn.ts';
import type { ChatRequest } from '../../loop/llm-types.ts';
import type { WatchSpec } from './types.ts';

export type WatchDeps = {
  invoke(name: string, input: string, callId: string): Promise<string>;
  cancel(callId: string): void;
  /** Calls `listener` with each chunk the call streams (stdout and stderr); returns the unsubscribe. */
  onOutput(callId: string, listener: (text: string) => void): () => void;
  llm: LlmStream;
  model: string;
  /** Lines shown to the model at a time. */
  judgeLines: number;
  charge(tokens: number): boolean;
};

export type WatchOutcome = { output: string; lines: number; tokens: number; trigger?: { line: string; by: 'pattern' | 'model' } };

/** Lines waiting at most this long before the model sees them, however few. */
const JUDGE_AFTER_MS = 300;
const MAX_LINE = 1000;

/** Asks the model whether any of `lines` shows `failure`: the line it names, or undefined. */
async function judge(deps: WatchDeps, spec: WatchSpec, lines: string[], signal: AbortSignal): Promise<{ line?: string; tokens: number }> {
  const numbered = lines.map((l, i) => `${i + 1}: ${l.slice(0, MAX_LINE)}`).join('\n');
  const request: ChatRequest = {
    model: deps.model,
    tools: [],
    messages: [
      {
        role: 'system',
        content: `You are a sub-agent of Titan watching the output of the tool "${spec.tool}" for this failure: ${spec.failure}. Answer "STOP <line number>" (or "STOP: <the line>") when a line shows it, otherwise "GO".`,
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

/** Runs the watched call to its end or to the early stop; the signal stops it too (a timeout). */
export async function watchTool(spec: WatchSpec, deps: WatchDeps, signal: AbortSignal): Promise<WatchOutcome> {
  const callId = `swarm-watch:${randomUUID()}`;
  const pattern = spec.pattern ? new RegExp(spec.pattern) : undefined;
  let partial = '';
  let count = 0;
  let tokens = 0;
  let trigger: WatchOutcome['trigger'];
  let pending: string[] = [];
  let judging = false;
  let lastJudged = Date.now();
  const stopAt = (line: string, by: 'pattern' | 'model') => {
    if (trigger) return;
    trigger = { line, by };
    deps.cancel(callId);
  };
  const askModel = (force: boolean) => {
    if (!spec.failure || trigger || judging || pending.length === 0) return;
    if (!force && pending.length < deps.judgeLines && Date.now() - lastJudged < JUDGE_AFTER_MS) return;
    const batch = pending.slice(0, deps.judgeLines);
    pending = pending.slice(batch.length);
    judging = true;
    lastJudged = Date.now();
    void judge(deps, spec, batch, signal)
      .then((verdict) => {
        tokens += verdict.tokens;
        deps.charge(verdict.tokens);
        if (verdict.line !== undefined) stopAt(verdict.line, 'model');
      })
      .catch(() => {}) // a judgement that failed stops nothing: the pattern (if any) and the call go on
      .finally(() => {
        judging = false;
        askModel(false);
      });
  };
  const take = (line: string) => {
    count++;
    if (trigger) return;
    if (pattern?.test(line)) return stopAt(line, 'pattern');
    if (spec.failure) {
      pending.push(line);
      askModel(false);
    }
  };
  const off = deps.onOutput(callId, (text) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) take(line.replace(/\r$/, ''));
  });
  const tick = setInterval(() => askModel(false), JUDGE_AFTER_MS);
  const stop = () => deps.cancel(callId);
  signal.addEventListener('abort', stop, { once: true });
  try {
    const output = await deps.invoke(spec.tool, JSON.stringify(spec.arguments ?? {}), callId);
    if (partial) take(partial);
    signal.throwIfAborted();
    return { output, lines: count, tokens, ...(trigger ? { trigger } : {}) };
  } finally {
    off();
    clearInterval(tick);
    signal.removeEventListener('abort', stop);
  }
}
