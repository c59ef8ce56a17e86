// The agent: threads of turns. Sending a message commits it before answering (the acknowledgement
// a user sees means it is stored), then runs a turn; the turn's events stream on the kernel bus.
// One turn at a time per thread; interrupts, approvals, and turns left waiting by a restart.
import { failed, spanAround, type Span } from '../../kernel/api.ts';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { TitanError } from '../../common/errors.ts';
import { cancelCall } from '../../host-api/exec.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Thread, TurnState } from '../../kernel/store-client.ts';
import { Approvals, type Decision, type PendingApproval } from './approvals.ts';
import { HistoryCache, type Recent } from './history-cache.ts';
import { IdentityPrompt } from './identity.ts';
import type { MemoryPort } from './memory-port.ts';
import { ToolCatalog } from './tool-catalog.ts';
import { recoverTurns } from './recovery.ts';
import { TraceRecorder } from './trace.ts';
import { TurnRun, type LlmStream, type ToolInvoker, type TurnOptions, type TurnOutcome } from './turn.ts';
import type { FastResult } from '../reflex/router.ts';
import type { ReflexService } from '../reflex/service.ts';

/**
 * Who wrote a message. `person`: someone typing on a chat surface (the web UI, the REPL, `titan
 * chat`, a messaging channel); `program`: a client of the API (the OpenAI-compatible routes, a
 * script with a token), the default; `routine`: a routine's own prompt; `model`: a prompt the model
 * wrote (a goal's step). Only people are onboarded; what the model wrote never feeds the profile.
 */
export type MessageOrigin = 'person' | 'program' | 'routine' | 'model';

/** The fast path a new turn asks before the model (the reflex service's). */
export type FastPath = (input: { threadId: string; turnId: string; prompt: string; origin: MessageOrigin }) => Promise<FastResult>;

export type AgentOptions = Partial<TurnOptions> & {
  workspace: string;
  llm: LlmStream;
  approvalTtlMs?: number;
  /** Tools that run without approval, and tools that always ask first, overriding what they declare. */
  trustedTools?: string[];
  guardedTools?: string[];
  cancelTool?: (callId: string) => void;
  /** Replaces the kernel's tools (trace replay). */
  invokeTool?: ToolInvoker;
  /** When set, every turn's model streams and tool results are recorded to <dir>/<turnId>.json. */
  traceDir?: string;
};

/** The store schema whose turns.end ends a turn in one write and whose turns.stale finds turns to recover. */
const ONE_WRITE_END_SCHEMA = 7;

export type SendResult = { threadId: string; turnId: string; messageId: string; run: TurnRun };

/** A user's message the agent took (routines with a message trigger, the profile listen). */
export type ReceivedMessage = { userId: string; threadId: string; turnId: string; text: string; origin: MessageOrigin };

export class Agent {
  readonly #kernel: Kernel;
  readonly #options: TurnOptions;
  readonly #llm: LlmStream;
  readonly #cancelTool: (callId: string) => void;
  readonly #invokeTool: ToolInvoker;
  readonly #traceDir: string | undefined;
  readonly identity: IdentityPrompt;
  readonly tools: ToolCatalog;
  readonly approvals: Approvals;
  readonly #runs = new Map<string, TurnRun>();
  /** Ended turns whose end write is still retried (the store was down when they ended). */
  readonly #endWrites = new Set<TurnRun>();
  readonly #workspace: string;
  readonly #history: HistoryCache;
  readonly #messageListeners = new Set<(message: ReceivedMessage) => void>();
  /** The store ends a turn in one operation (schema 7 and later); known after start(). */
  #endsInOneWrite = false;
  /** Set by the reflex service once it runs; unset, every turn goes to the model. */
  fastPath: FastPath | undefined;
  reflexes: ReflexService | undefined;
  /** Set by the memory service once it runs; unset, turns get no memory context. */
  memory: MemoryPort | undefined;

  constructor(kernel: Kernel, options: AgentOptions) {
    this.#kernel = kernel;
    this.#llm = options.llm;
    this.#workspace = options.workspace;
    const cancelCommand = options.cancelTool ?? ((callId: string) => void cancelCall(callId, 'the turn was interrupted'));
    this.#cancelTool = (callId) => {
      cancelCommand(callId);
      for (const source of this.tools.sources) source.cancel(callId);
    };
    // Components run in the kernel; tools of other sources (MCP servers) run through their source.
    this.#invokeTool =
      options.invokeTool ??
      (async (name, input, callId) => {
        const source = this.tools.sourceOf(name);
        if (source) return source.invoke(name, input, callId);
        return (await kernel.call('tool', name, 'invoke', [input], { callId })) as string;
      });
    this.#traceDir = options.traceDir;
    this.#options = {
      model: options.model ?? '',
      earlyExecution: options.earlyExecution ?? true,
      maxSteps: options.maxSteps ?? 16,
      historyLimit: options.historyLimit ?? 200,
    };
    this.identity = new IdentityPrompt(options.workspace);
    this.#history = new HistoryCache(kernel.store);
    this.tools = new ToolCatalog(kernel, { trusted: options.trustedTools, guarded: options.guardedTools });
    this.approvals = new Approvals(kernel.store, options.approvalTtlMs ?? 10 * 60 * 1000);
    this.approvals.onOrphanDecision = (approval, decision) => this.#resume(approval, decision);
  }

  /** Answers from the reflexes (then the shadow cache) before the model, from now on. */
  useReflexes(service: ReflexService): void {
    this.reflexes = service;
    this.fastPath = (input) => service.fastPath(input);
  }

  /** The model turns stream from, and its name: a swarm's sub-agents use the same. */
  get model(): { llm: LlmStream; name: string } {
    return { llm: this.#llm, name: this.#options.model };
  }

  /** After a (re)start: turns that were running when the process stopped are marked interrupted
   * (what they had said kept, marked cut off); turns waiting for an approval wait again, and resume
   * when it is decided. */
  async start(): Promise<{ waiting: PendingApproval[]; interrupted: number; recovers: boolean }> {
    await mkdir(this.#workspace, { recursive: true });
    this.#endsInOneWrite = (await this.#kernel.store.status()).latest >= ONE_WRITE_END_SCHEMA;
    const { interrupted } = await recoverTurns(this.#kernel.store, this.#kernel.bus, this.#endsInOneWrite);
    const waiting = await this.approvals.restore();
    // recovers: false - the serving store predates schema 7 (its upgrade waits in the patch queue).
    return { waiting, interrupted, recovers: this.#endsInOneWrite };
  }

  createThread(userId: string, title?: string): Promise<Thread> {
    return this.#kernel.store.createThread({ id: randomUUID(), userId, title });
  }

  /** Stores the user's message (committed when this resolves) and starts a turn answering it. */
  async send(userId: string, threadId: string, text: string, options: { modelOnly?: boolean; origin?: MessageOrigin } = {}): Promise<SendResult> {
    const origin = options.origin ?? 'program';
    if (typeof text !== 'string' || text.trim() === '') throw new TitanError('TITAN_E_USAGE', 'the message is empty');
    // A key pasted into a message (a channel's, the UI's) goes neither to the model nor into the store.
    text = this.#kernel.leaks.redact(text, 'message');
    if ([...this.#runs.values()].some((r) => r.threadId === threadId && !r.ended)) {
      throw new TitanError('TITAN_E_USAGE', 'a turn is already running in this thread', { fix: 'wait for it, or interrupt it' });
    }
    const turnId = randomUUID();
    const messageId = randomUUID();
    // One transaction: the thread is checked to be this user's, the turn opened (pending, then
    // streaming), the message stored; the same request answers the thread's latest messages, the
    // history the model is asked with (a store before core 1.10.0 leaves them to be read after).
    const limit = this.#options.historyLimit;
    const wanted = this.#history.wants(threadId, limit);
    const begun = await this.#kernel.store.op('turns.begin', {
      userId,
      threadId,
      turnId,
      message: { id: messageId, role: 'user', content: text },
      recent: wanted,
    });
    const recent = begun.recent && { rows: begun.recent, limit: wanted };
    const fastPath = this.fastPath && !options.modelOnly ? this.fastPath : undefined;
    const run = this.#start(threadId, turnId, 0, undefined, 'streaming', fastPath && (() => fastPath({ threadId, turnId, prompt: text, origin })), recent);
    run.log.emit({ type: 'turn.started', userMessageId: messageId });
    for (const listener of this.#messageListeners) {
      try {
        listener({ userId, threadId, turnId, text, origin });
      } catch (error) {
        this.#kernel.logger.warn({ err: error }, 'a message listener failed');
      }
    }
    return { threadId, turnId, messageId, run };
  }

  #start(
    threadId: string,
    turnId: string,
    startSeq = 0,
    decided?: ReadonlyMap<string, Decision>,
    state?: TurnState,
    fastPath?: () => Promise<FastResult>,
    recent?: Recent,
  ): TurnRun {
    const recorder = this.#traceDir ? new TraceRecorder(turnId) : undefined;
    // The turn's span: everything the run sets off (provider stream, tools, store) nests under it.
    const run = spanAround('agent.turn', { 'titan.thread': threadId, 'titan.turn': turnId }, (span) => {
      const started = new TurnRun(
        {
          kernel: this.#kernel,
          store: this.#kernel.store,
          identity: this.identity,
          tools: this.tools,
          approvals: this.approvals,
          options: this.#options,
          cancelTool: this.#cancelTool,
          decided,
          fastPath,
          endsInOneWrite: this.#endsInOneWrite,
          memory: this.memory,
          history: this.#history,
          recent,
          onEndRetry: (error, attempt) => {
            if (attempt === 1)
              this.#kernel.bus.emit('kernel.warning', {
                message: `ending turn ${turnId} failed (${error.code}: ${error.message}); retrying until the store takes it`,
              });
          },
          llm: recorder ? recorder.llm(this.#llm) : this.#llm,
          invokeTool: recorder ? recorder.tools(this.#invokeTool) : this.#invokeTool,
        },
        threadId,
        turnId,
        startSeq,
        state,
      );
      if (span)
        void started.done.then(
          (outcome) => endTurnSpan(span, outcome),
          (error: unknown) => endTurnSpan(span, undefined, error),
        );
      return started;
    });
    this.#runs.set(turnId, run);
    void run.done.finally(async () => {
      this.#runs.delete(turnId);
      if (run.endWrite) {
        this.#endWrites.add(run);
        void run.endWrite.finally(() => this.#endWrites.delete(run));
      }
      if (recorder && this.#traceDir) await recorder.save(this.#traceDir).catch(() => {});
    });
    return run;
  }

  /** Told of every message a turn starts from, after it is stored; returns the unsubscribe. */
  onMessage(listener: (message: ReceivedMessage) => void): () => void {
    this.#messageListeners.add(listener);
    return () => this.#messageListeners.delete(listener);
  }

  interrupt(turnId: string, by: string): boolean {
    const run = this.#runs.get(turnId);
    if (!run) return false;
    run.interrupt(by);
    return true;
  }

  /** Approves or rejects a pending tool call; a turn left waiting by a restart resumes from here. */
  decide(approvalId: string, decision: 'approved' | 'rejected', by: string, reason?: string): Promise<Decision> {
    return this.approvals.decide(approvalId, decision, by, reason);
  }

  /** A decision for a turn that is not running: record it as the tool's answer, then continue the turn. */
  async #resume(approval: PendingApproval, decision: Decision): Promise<void> {
    const turn = await this.#kernel.store.op('turns.get', { id: approval.turn_id });
    if (turn.state !== 'awaiting_approval' || this.#runs.has(turn.id)) return;
    const events = await this.#kernel.store.op('events.list', { turnId: turn.id });
    const run = this.#start(turn.thread_id, turn.id, events.at(-1)?.seq ?? 0, new Map([[approval.tool_call_id ?? '', decision]]));
    run.log.emit({ type: 'approval.decided', approvalId: approval.id, decision: decision.decision, by: decision.by, reason: decision.reason });
  }

  running(): TurnRun[] {
    return [...this.#runs.values()];
  }

  async close(): Promise<void> {
    for (const run of this.#runs.values()) run.shutdown();
    await Promise.allSettled([...this.#runs.values()].map((r) => r.done));
    // End writes still retried get a last few tries; what stays unwritten, the next start recovers.
    for (const run of this.#endWrites) run.shutdown();
    await Promise.allSettled([...this.#endWrites].map((r) => r.endWrite));
    this.approvals.close();
    this.identity.close();
  }
}

/** Ends a turn's span with how the turn ended (a failed turn marks the span failed). */
function endTurnSpan(span: Span, outcome?: TurnOutcome, error?: unknown): void {
  if (outcome) span.setAttribute('titan.turn.state', outcome.state);
  const failure = error ?? outcome?.error;
  if (failure) failed(span, failure);
  span.end();
}
