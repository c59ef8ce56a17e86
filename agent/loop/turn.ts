// One turn of the agent loop: the model streams, every piece goes out as an event the moment it
// exists, tool calls run (as soon as their arguments are complete, before the model's message
// ends, when piped early execution is on), approvals are asked and waited for, and the loop goes
// on until the model answers without calling a tool. Everything is persisted as it happens, so a
// turn cut by an error keeps what it received and leaves the thread usable.
import { randomUUID } from 'node:crypto';
import { TitanError } from '../../common/errors.ts';
import type { TurnState } from '../../kernel/store-client.ts';
import { TurnEventLog } from './event-log.ts';
import { endTurn, type TurnEnd } from './turn-end.ts';
import { assistantContent, toChatMessages, unansweredToolCalls } from './history.ts';
import type { ChatMessage, ChatRequest, ToolCall } from './llm-types.ts';
import type { FastResult } from '../reflex/router.ts';
import { answerTimings, timingsFor } from '../reflex/answer-timings.ts';
import type { LlmStatusLine, TurnDeps, TurnOutcome } from './turn-deps.ts';
import { TurnTools, type ToolResult } from './turn-tools.ts';

export type { LlmStatusLine, LlmStream, ToolInvoker, TurnDeps, TurnOptions, TurnOutcome } from './turn-deps.ts';

export class TurnRun {
  #memory: Promise<string | undefined> | undefined;
  #recent: TurnDeps['recent'];
  readonly threadId: string;
  readonly turnId: string;
  readonly log: TurnEventLog;
  readonly done: Promise<TurnOutcome>;
  readonly #deps: TurnDeps;
  readonly #abort = new AbortController();
  readonly #tools: TurnTools;
  #state: TurnState = 'pending';
  #interruptedBy: string | undefined;
  #suspended = false;
  #stopping = false;
  /** The retries of an end write that failed (the store is down); settled once stored or given up. */
  #endWrite: Promise<void> | undefined;
  readonly #knownState: TurnState | undefined;
  /** Everything the model said in this turn, and what it said in the step now streaming. */
  #text = '';
  #stepText = '';
  /** Tokens summed over every model request of the turn (a tool loop makes several), and their count. */
  #usage: { input_tokens: number; output_tokens: number } | undefined;
  #modelRequests = 0;
  #stopReason = 'end_turn';

  /** `state`: the turn's stored state when the caller knows it (a new turn is pending); else it is read. */
  constructor(deps: TurnDeps, threadId: string, turnId: string, startSeq = 0, state?: TurnState) {
    this.#deps = deps;
    this.#recent = deps.recent;
    this.threadId = threadId;
    this.turnId = turnId;
    this.log = new TurnEventLog(deps.store, deps.kernel.bus, threadId, turnId, startSeq);
    this.#knownState = state;
    this.#tools = new TurnTools(deps, threadId, turnId, this.log, {
      signal: this.#abort.signal,
      interruptedBy: () => this.#interruptedBy,
      suspended: () => this.#suspended,
      to: (next) => this.#to(next),
    });
    this.done = Promise.resolve().then(() => this.#run());
  }

  get state(): TurnState {
    return this.#state;
  }

  /** Pending while a failed end write is retried in the background. */
  get endWrite(): Promise<void> | undefined {
    return this.#endWrite;
  }

  /** True once the turn's end is stored: a new message in its thread may start the next turn. */
  get ended(): boolean {
    return this.#state === 'completed' || this.#state === 'failed' || this.#state === 'interrupted';
  }

  /** The kernel is stopping: a turn waiting for approval stays waiting (its approval persists and
   * resumes it after a restart); any other turn is interrupted. */
  shutdown(): void {
    this.#stopping = true;
    if (this.#tools.waitingForApproval) {
      this.#suspended = true;
      this.#abort.abort(new TitanError('TITAN_E_SHUTTING_DOWN', 'the kernel is stopping'));
      return;
    }
    this.interrupt('shutdown');
  }

  /** Stops the model's stream and the running tools; the turn ends as interrupted. */
  interrupt(by: string): void {
    if (this.#interruptedBy) return;
    this.#interruptedBy = by;
    this.#abort.abort(new TitanError('TITAN_E_INTERRUPTED', `interrupted by ${by}`));
    this.#tools.cancelAll();
  }

  async #to(state: TurnState, error?: string): Promise<void> {
    if (this.#state === state) return;
    await this.#deps.store.transitionTurn(this.turnId, state, error);
    this.#state = state;
  }

  async #run(): Promise<TurnOutcome> {
    const { options } = this.#deps;
    try {
      this.#state = this.#knownState ?? (await this.#deps.store.op('turns.get', { id: this.turnId })).state;
      await this.#to('streaming');
      if (this.#deps.fastPath && (await this.#answerFast(this.#deps.fastPath))) return { state: 'completed', text: this.#text };
      for (let step = 0; step < options.maxSteps; step++) {
        const history = await this.#history();
        const open = unansweredToolCalls(history);
        if (open.length > 0) {
          await this.#tools.answerOpen(open);
          continue;
        }
        const { calls, text } = await this.#modelStep(history);
        if (calls.length === 0) return await this.#finish(text);
      }
      throw new TitanError('TITAN_E_PROVIDER_BAD_REQUEST', `the model kept calling tools for ${options.maxSteps} steps; the turn was stopped`);
    } catch (error) {
      if (this.#suspended) return { state: 'suspended', text: this.#text };
      return this.#fail(error);
    } finally {
      await this.log.flush();
    }
  }

  /** The fast path (reflexes, then the shadow cache); false: the model answers, as always. */
  async #answerFast(fastPath: () => Promise<FastResult>): Promise<boolean> {
    let result: FastResult;
    try {
      result = await fastPath();
    } catch (error) {
      this.log.emit({ type: 'status', message: `the fast path failed (${(error as Error)?.message}); the model answers` });
      return false;
    }
    for (const note of result.notes) this.log.emit({ type: 'status', message: note });
    const answer = result.answer;
    if (!answer) return false;
    const timings = timingsFor(this.turnId);
    const began = performance.now();
    this.log.emit({ type: 'answer.source', source: answer.source, marker: answer.marker, reflex: answer.reflex });
    answer.text = this.#deps.kernel.leaks.redact(answer.text, `reflex:${answer.reflex?.name ?? answer.source}`);
    this.#text = answer.text;
    this.log.emit({ type: 'text', text: answer.text });
    const storing = performance.now();
    // One transaction, as a model turn ends: the answer marked with its source, the turn's events
    // and the turn completed; turn.completed goes out once it committed.
    await this.#end(
      {
        to: 'completed',
        messages: [{ id: `${this.turnId}:${answer.source}`, role: 'assistant', content: answer.text, source: answer.marker }],
        events: [{ type: 'turn.completed', stopReason: 'end_turn', from: answer.source }],
      },
      false,
    );
    if (timings) {
      timings.parts = { events: storing - began, store: performance.now() - storing };
      answerTimings.publish(timings);
    }
    return true;
  }

  async #history(): Promise<ChatMessage[]> {
    const { history, store, options } = this.#deps;
    // What the turn's start read serves its first request only: later steps add the tools' messages.
    const recent = this.#recent;
    this.#recent = undefined;
    const rows = await (history ? history.window(this.threadId, options.historyLimit, recent) : store.listMessages(this.threadId, options.historyLimit));
    const identity = await this.#deps.identity.get();
    // Asked once per turn, for the message that opened it; a memory failure never fails the turn.
    this.#memory ??= this.#deps.memory
      ? this.#deps.memory.contextFor({ threadId: this.threadId, text: rows.findLast((r) => r.role === 'user')?.content ?? '' }).catch(() => undefined)
      : Promise.resolve(undefined);
    const context = await this.#memory;
    return [{ role: 'system', content: context ? `${identity}\n\n${context}` : identity }, ...toChatMessages(rows)];
  }

  /** Streams one model answer; tool calls start while it streams when early execution is on. */
  async #modelStep(history: ChatMessage[]): Promise<{ calls: ToolCall[]; text: string }> {
    const tools = await this.#deps.tools.list();
    const byName = new Map(tools.map((t) => [t.name, t]));
    const drafts = new Map<number, { id: string; name: string; args: string; started?: Promise<ToolResult> }>();
    this.#stepText = '';
    let chain: Promise<unknown> = Promise.resolve();
    // Tool calls run one after another, in order; "early" means as soon as its arguments are whole.
    const start = (draft: { id: string; name: string; args: string; started?: Promise<ToolResult> }, early: boolean) => {
      // A key the model writes into a call's arguments goes to no tool (a URL's query is a way out).
      const args = this.#deps.kernel.leaks.redact(draft.args, `model:${draft.name}`);
      const run = chain.then(() => this.#tools.execute({ id: draft.id, name: draft.name, arguments: args }, byName.get(draft.name), early));
      // Awaited later (after the model's message is stored); marked handled now so a shutdown
      // while it waits is not reported as an unhandled rejection.
      run.catch(() => {});
      chain = run;
      draft.started = run;
    };

    const request: ChatRequest = {
      model: this.#deps.options.model,
      messages: history,
      tools: tools.map(({ name, description, schema }) => ({ name, description, schema })),
    };
    let stopReason = 'end_turn';
    const onStatus = (status: LlmStatusLine) => {
      const message = statusMessage(status);
      if (message) this.log.emit({ type: 'status', message });
    };
    // The answer passes the leak guard as it streams: a key the model repeats never goes out.
    const guard = this.#deps.kernel.leaks.stream('model');
    const say = (text: string) => {
      if (!text) return;
      this.#text += text;
      this.#stepText += text;
      this.log.emit({ type: 'text', text });
    };
    this.#modelRequests++;
    try {
      for await (const event of this.#deps.llm(request, { signal: this.#abort.signal, purpose: 'chat', onStatus })) {
        if (event.type === 'text') {
          say(guard.push(event.text));
        } else if (event.type === 'tool_call') {
          let draft = drafts.get(event.index);
          if (!draft) drafts.set(event.index, (draft = { id: event.id ?? `call_${randomUUID()}`, name: event.name ?? '', args: '' }));
          if (event.name && !draft.name) draft.name = event.name;
          draft.args += event.arguments_delta;
          this.log.emit({ type: 'tool.draft', index: event.index, name: draft.name, arguments: this.#clean(draft.args) });
          if (this.#deps.options.earlyExecution && !draft.started && isCompleteJson(draft.args)) start(draft, true);
        } else if (event.type === 'usage') {
          const sum = this.#usage ?? { input_tokens: 0, output_tokens: 0 };
          this.#usage = { input_tokens: sum.input_tokens + event.input_tokens, output_tokens: sum.output_tokens + event.output_tokens };
        } else if (event.type === 'stop') {
          stopReason = event.reason;
        } else if (event.type === 'error') {
          throw new TitanError('TITAN_E_PROVIDER_STREAM', `${event.code}: ${event.message}`);
        }
      }
    } finally {
      say(guard.end());
    }
    this.#stopReason = stopReason;
    const text = this.#stepText;
    const calls = [...drafts.entries()].sort(([a], [b]) => a - b).map(([, d]) => d);
    // The final answer is stored with the turn's end (#finish), in the same transaction.
    if (calls.length === 0) return { calls: [], text };
    this.#stepText = '';
    // A fresh id per answer: a turn resumed after a restart counts its steps from 0 again.
    await this.#deps.store.appendMessages(this.threadId, [
      {
        id: `${this.turnId}:${randomUUID()}`,
        role: 'assistant',
        turnId: this.turnId,
        content: assistantContent(
          text,
          calls.map((d) => ({ id: d.id, name: d.name, arguments: this.#clean(d.args) })),
        ),
      },
    ]);
    for (const draft of calls) if (!draft.started) start(draft, false);
    await this.#tools.storeResults(calls.map((d) => ({ call: { id: d.id, name: d.name, arguments: this.#clean(d.args) }, result: d.started! })));
    return { calls: calls.map((d) => ({ id: d.id, name: d.name, arguments: this.#clean(d.args) })), text };
  }

  /** Arguments as the events and the store keep them: keys cut out (the hit is reported once, when the call starts). */
  #clean(args: string): string {
    return this.#deps.kernel.leaks.scan(args).text;
  }

  /** The answer and the turn's completion: one write, then turn.completed goes out. */
  async #finish(text: string): Promise<TurnOutcome> {
    await this.#end(
      {
        to: 'completed',
        // A fresh id per answer: a turn resumed after a restart counts its steps from 0 again.
        messages: [{ id: `${this.turnId}:${randomUUID()}`, role: 'assistant', content: text }],
        events: [{ type: 'turn.completed', stopReason: this.#stopReason, usage: this.#usage, modelRequests: this.#modelRequests, from: 'model' }],
      },
      false,
    );
    this.#stepText = '';
    return { state: 'completed', text: this.#text };
  }

  async #fail(error: unknown): Promise<TurnOutcome> {
    const titan = error instanceof TitanError ? error : new TitanError('TITAN_E_PROVIDER_STREAM', String((error as Error)?.message ?? error));
    const partial = this.#partialText();
    try {
      if (this.#interruptedBy) {
        await this.#end({ to: 'interrupted', messages: partial, events: [{ type: 'turn.interrupted', by: this.#interruptedBy }] }, true);
        return { state: 'interrupted', text: this.#text, error: titan };
      }
      this.log.emit({ type: 'error', code: titan.code, message: titan.message, fix: titan.fix });
      await this.#end(
        {
          to: 'failed',
          messages: partial,
          error: `${titan.code}: ${titan.message}`,
          events: [{ type: 'turn.failed', code: titan.code, message: titan.message }],
        },
        true,
      );
    } catch (endError) {
      this.#endFailed(endError);
      this.#state = this.#interruptedBy ? 'interrupted' : 'failed';
    }
    return { state: this.#interruptedBy ? 'interrupted' : 'failed', text: this.#text, error: titan };
  }

  async #end(end: TurnEnd, retrying: boolean): Promise<void> {
    await endTurn(this.#deps.store, this.log, end, {
      oneWrite: this.#deps.endsInOneWrite ?? false,
      retrying,
      retry: () => !this.#stopping,
      onRetry: this.#deps.onEndRetry,
      onStored: () => (this.#state = end.to),
      detach: (retries) => {
        this.#endWrite = retries.catch((error: unknown) => this.#endFailed(error));
      },
    });
  }

  /** The store refused the end for good (or the kernel stopped first): the next start's recovery
   * marks the turn interrupted. Said once, with why. */
  #endFailed(error: unknown): void {
    this.#deps.kernel.bus.emit('kernel.warning', { message: `turn ${this.turnId} could not be marked ended: ${(error as Error)?.message ?? String(error)}` });
  }

  /** What the model said before a failure stays in the thread, marked as cut. */
  #partialText(): TurnEnd['messages'] {
    if (!this.#stepText) return [];
    return [{ id: `${this.turnId}:partial`, role: 'assistant', content: cutOff(this.#stepText) }];
  }
}

/** How a cut answer is stored (the web UI and the REPL show the mark as a note). */
export function cutOff(text: string): string {
  return `${text.trimEnd()} ${CUT_OFF_MARK}`;
}
export const CUT_OFF_MARK = '[cut off]';

/** Retries and failovers as the user reads them; first attempts say nothing. */
function statusMessage(status: LlmStatusLine): string | undefined {
  const error = status.error as { code?: string; message?: string } | undefined;
  const why = error ? ` (${error.code ?? ''}${error.message ? `: ${error.message}` : ''})` : '';
  if (status.type === 'retry') return `retrying ${String(status.provider)} in ${Math.round(Number(status.delayMs))} ms${why}`;
  if (status.type === 'failover') return `${String(status.from)} failed${why}; trying ${String(status.to)}`;
  return undefined;
}

/** True once the streamed arguments are a whole JSON object (nothing valid can follow its brace). */
export function isCompleteJson(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}
