// The tool calls of one turn: each checked, approved when its tool asks for it, run through the
// kernel with its output streamed as events, and its result stored for the model to read. Every
// failure becomes a result (the model reads why); an interrupt stops the calls still running.
import { TitanError } from '../../common/errors.ts';
import type { TurnState } from '../../kernel/store-client.ts';
import type { Decision } from './approvals.ts';
import type { TurnEventLog } from './event-log.ts';
import { toolContent } from './history.ts';
import type { ToolCall } from './llm-types.ts';
import type { ToolInfo } from './tool-catalog.ts';
import type { TurnDeps } from './turn-deps.ts';

export type ToolResult = { ok: boolean; content: string };

/** What the tools ask of the turn running them. */
export type TurnControl = {
  readonly signal: AbortSignal;
  interruptedBy(): string | undefined;
  /** True when a shutdown left the turn waiting for an approval (it resumes after a restart). */
  suspended(): boolean;
  /** Stores the turn's new state (awaiting_approval, back to streaming). */
  to(state: TurnState): Promise<void>;
};

export class TurnTools {
  readonly #deps: TurnDeps;
  readonly #threadId: string;
  readonly #turnId: string;
  readonly #log: TurnEventLog;
  readonly #turn: TurnControl;
  /** Kernel-level ids of the calls running now. */
  readonly #running = new Set<string>();
  /** Set once an approval request is persisted, until its decision arrives. */
  #waiting = false;

  constructor(deps: TurnDeps, threadId: string, turnId: string, log: TurnEventLog, turn: TurnControl) {
    this.#deps = deps;
    this.#threadId = threadId;
    this.#turnId = turnId;
    this.#log = log;
    this.#turn = turn;
  }

  get waitingForApproval(): boolean {
    return this.#waiting;
  }

  /** Stops every call still running (kills its process). */
  cancelAll(): void {
    for (const callId of this.#running) this.#deps.cancelTool(callId);
  }

  /** Tool calls left without a result (a turn resumed after a restart): run them now, in order. */
  async answerOpen(open: ToolCall[]): Promise<void> {
    const tools = new Map((await this.#deps.tools.list()).map((t) => [t.name, t]));
    const results: Array<{ call: ToolCall; result: Promise<ToolResult> }> = [];
    for (const call of open) {
      const result = this.execute(call, tools.get(call.name), false);
      await result;
      results.push({ call, result });
    }
    await this.storeResults(results);
  }

  async storeResults(results: Array<{ call: ToolCall; result: Promise<ToolResult> }>): Promise<void> {
    for (const { call, result } of results) {
      const { content } = await result;
      await this.#deps.store.appendMessages(this.#threadId, [
        { id: `${this.#turnId}:${call.id}:result`, role: 'tool', turnId: this.#turnId, content: toolContent(call.id, call.name, content) },
      ]);
    }
  }

  /** Runs one tool call through approval and the kernel; every failure becomes a result the model reads. */
  async execute(call: ToolCall, tool: ToolInfo | undefined, early: boolean): Promise<ToolResult> {
    const failed = (code: string, message: string): ToolResult => {
      this.#log.emit({ type: 'tool.completed', callId: call.id, name: call.name, ok: false, error: { code, message } });
      return { ok: false, content: JSON.stringify({ error: { code, message } }) };
    };
    if (this.#turn.signal.aborted) return failed('TITAN_E_INTERRUPTED', 'the turn was interrupted before this tool ran');
    if (!tool) return failed('TITAN_E_TOOL_UNKNOWN', `there is no tool named "${call.name}"`);
    let args: unknown;
    try {
      args = JSON.parse(call.arguments || '{}');
    } catch {
      return failed('TITAN_E_TOOL_ARGUMENTS', `the arguments of ${call.name} are not valid JSON: ${call.arguments.slice(0, 200)}`);
    }
    try {
      this.#deps.tools.checkArguments(tool, args);
    } catch (error) {
      // Before approval and before the tool: nothing ran, the model reads why and calls again.
      const titan = error as TitanError;
      return failed(titan.code, titan.message);
    }
    await this.#deps.store.op('toolCalls.upsert', {
      id: call.id,
      turnId: this.#turnId,
      tool: call.name,
      arguments: call.arguments,
      status: tool.needsApproval ? 'awaiting_approval' : 'running',
    });
    if (tool.needsApproval) {
      const verdict = await this.#approve(call, args);
      if (verdict) {
        await this.#deps.store.op('toolCalls.upsert', {
          id: call.id,
          turnId: this.#turnId,
          tool: call.name,
          arguments: call.arguments,
          status: 'rejected',
          error: verdict,
          finishedAt: Date.now(),
        });
        return failed('TITAN_E_APPROVAL_REJECTED', verdict);
      }
    }
    return this.#invoke(call, args, early, failed);
  }

  /** Asks for approval; returns why the call may not run, or undefined when approved. */
  async #approve(call: ToolCall, args: unknown): Promise<string | undefined> {
    const prior = this.#deps.decided?.get(call.id);
    if (prior) return verdictOf(prior);
    const request = await this.#deps.approvals.request({ turnId: this.#turnId, callId: call.id, name: call.name, arguments: args });
    this.#waiting = true;
    this.#log.emit({ type: 'approval.needed', approvalId: request.id, callId: call.id, name: call.name, arguments: args, expiresAt: request.expiresAt });
    await this.#log.flush();
    // An interrupt rejects the call; a shutdown leaves the approval pending for after the restart.
    const stopped = new Promise<never>((_, reject) => {
      const onAbort = () => {
        if (!this.#turn.suspended())
          void this.#deps.approvals.decide(request.id, 'rejected', this.#turn.interruptedBy() ?? 'titan', 'the turn was interrupted').catch(() => {});
        reject(this.#turn.signal.reason);
      };
      if (this.#turn.signal.aborted) onAbort();
      else this.#turn.signal.addEventListener('abort', onAbort, { once: true });
    });
    stopped.catch(() => {});
    await this.#turn.to('awaiting_approval');
    const decision = await Promise.race([request.decision, stopped]);
    this.#waiting = false;
    this.#log.emit({ type: 'approval.decided', approvalId: request.id, decision: decision.decision, by: decision.by, reason: decision.reason });
    if (this.#turn.signal.aborted) return 'the turn was interrupted';
    await this.#turn.to('streaming');
    return verdictOf(decision);
  }

  async #invoke(call: ToolCall, args: unknown, early: boolean, failed: (code: string, message: string) => ToolResult): Promise<ToolResult> {
    const bus = this.#deps.kernel.bus;
    // Model-given call ids repeat across threads; the kernel-level id names this turn's call only.
    const kernelCallId = `${this.#turnId}/${call.id}`;
    this.#log.emit({ type: 'tool.started', callId: call.id, name: call.name, arguments: args, early });
    const off = bus.on('component.event', (event) => {
      if (event.callId === kernelCallId) this.#log.emit({ type: 'tool.output', callId: call.id, stream: event.kind, text: event.data });
    });
    this.#running.add(kernelCallId);
    try {
      // A tool's answer reaches the model, the store and the user: the leak guard sees it first.
      const raw = await this.#deps.invokeTool(call.name, JSON.stringify(args), kernelCallId);
      const output = this.#deps.kernel.leaks.redact(raw, `tool:${call.name}`);
      if (output !== raw) this.#log.emit({ type: 'status', message: `a secret or key in the result of ${call.name} was cut out before the model saw it` });
      let result: unknown = output;
      try {
        result = JSON.parse(output);
      } catch {
        // a tool may answer plain text
      }
      await this.#deps.store.op('toolCalls.upsert', {
        id: call.id,
        turnId: this.#turnId,
        tool: call.name,
        arguments: call.arguments,
        status: 'completed',
        result: output,
        finishedAt: Date.now(),
      });
      this.#log.emit({ type: 'tool.completed', callId: call.id, name: call.name, ok: true, result });
      return { ok: true, content: output };
    } catch (error) {
      const raw = error instanceof TitanError ? error : new TitanError('TITAN_E_COMPONENT_TRAP', String((error as Error)?.message ?? error));
      const titan = new TitanError(raw.code, this.#deps.kernel.leaks.redact(raw.message, `tool:${call.name}`));
      await this.#deps.store
        .op('toolCalls.upsert', {
          id: call.id,
          turnId: this.#turnId,
          tool: call.name,
          arguments: call.arguments,
          status: 'failed',
          error: titan.message,
          finishedAt: Date.now(),
        })
        .catch(() => {});
      return failed(titan.code, titan.message);
    } finally {
      off();
      this.#running.delete(kernelCallId);
    }
  }
}

function verdictOf(decision: Decision): string | undefined {
  if (decision.decision === 'approved') return undefined;
  return decision.decision === 'expired'
    ? `the approval expired: ${decision.reason ?? 'no decision in time'}`
    : `the user rejected this call${decision.reason ? `: ${decision.reason}` : ''}`;
}
