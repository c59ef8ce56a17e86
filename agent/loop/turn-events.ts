// What a turn tells the world while it runs, in order: one typed event at a time on the bus, and
// the same events persisted through the store (text deltas coalesced into one event per flush;
// tool, approval and status events kept one by one).

export type TurnEventBody =
  | { type: 'turn.started'; userMessageId: string }
  | { type: 'text'; text: string }
  /** The live draft of a tool call while the model is still writing its arguments. */
  | { type: 'tool.draft'; index: number; name: string; arguments: string }
  | { type: 'tool.started'; callId: string; name: string; arguments: unknown; early: boolean }
  | { type: 'tool.output'; callId: string; stream: string; text: string }
  | { type: 'tool.completed'; callId: string; name: string; ok: boolean; result?: unknown; error?: { code: string; message: string } }
  | { type: 'approval.needed'; approvalId: string; callId: string; name: string; arguments: unknown; expiresAt: number }
  | { type: 'approval.decided'; approvalId: string; decision: 'approved' | 'rejected' | 'expired'; by: string; reason?: string }
  | { type: 'status'; message: string }
  | { type: 'error'; code: string; message: string; fix?: string }
  /** The answer came without the model: from a compiled reflex, or from the shadow cache. */
  | { type: 'answer.source'; source: 'reflex' | 'shadow' | 'onboarding'; marker: string; reflex?: { name: string; version: string; confidence: number } }
  | {
      type: 'turn.completed';
      stopReason: string;
      usage?: { input_tokens: number; output_tokens: number };
      /** Model requests the turn made (absent for answers that made none: reflexes, onboarding). */
      modelRequests?: number;
      from: 'model' | 'reflex' | 'shadow' | 'onboarding';
    }
  | { type: 'turn.failed'; code: string; message: string }
  | { type: 'turn.interrupted'; by: string };

export type TurnEvent = TurnEventBody & { threadId: string; turnId: string; seq: number; at: number };

/** Event types kept one by one in the store; others (text) are merged per flush. */
export function isCoalescable(event: TurnEventBody): boolean {
  return event.type === 'text' || event.type === 'tool.draft' || event.type === 'tool.output';
}

// Turn events travel on the kernel's bus; the kernel learns their type here, never by importing the agent.
declare module '../../kernel/events.ts' {
  interface KernelEvents {
    'turn.event': TurnEvent;
  }
}
