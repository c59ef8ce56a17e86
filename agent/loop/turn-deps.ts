// What one turn of the agent loop needs and answers: the model stream, the tools, the store, the
// approvals and the options (agent.ts builds them once; TurnRun and TurnTools read them).
import type { TitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { StoreClient, TurnState } from '../../kernel/store-client.ts';
import type { Approvals, Decision } from './approvals.ts';
import type { HistoryCache, Recent } from './history-cache.ts';
import type { IdentityPrompt } from './identity.ts';
import type { MemoryPort } from './memory-port.ts';
import type { ChatRequest, LlmEvent } from './llm-types.ts';
import type { ToolCatalog } from './tool-catalog.ts';
import type { FastResult } from '../reflex/router.ts';

/** What the model stream is doing besides answering (a retry, a failover), told as a status line. */
export type LlmStatusLine = { type: string } & Record<string, unknown>;
export type LlmStream = (
  request: ChatRequest,
  options: { signal: AbortSignal; purpose: 'chat' | 'background'; onStatus?: (status: LlmStatusLine) => void },
) => AsyncIterable<LlmEvent>;
/** Runs a tool: its name, its input as JSON text, the call id its events carry; answers its output. */
export type ToolInvoker = (name: string, input: string, callId: string) => Promise<string>;

export type TurnOptions = { model: string; earlyExecution: boolean; maxSteps: number; historyLimit: number };

export type TurnDeps = {
  kernel: Kernel;
  store: StoreClient;
  llm: LlmStream;
  identity: IdentityPrompt;
  tools: ToolCatalog;
  approvals: Approvals;
  options: TurnOptions;
  /** Stops a running tool call (kills its process); a no-op for calls that have nothing to stop. */
  cancelTool(callId: string): void;
  /** Decisions taken while the turn was not running (after a restart), by tool call id. */
  decided?: ReadonlyMap<string, Decision>;
  /** How tools run: the kernel's components, or a recorded trace being replayed. */
  invokeTool: ToolInvoker;
  /** Asked before the model on a new turn: a reflex's or the shadow cache's answer, if one fits. */
  fastPath?: () => Promise<FastResult>;
  /** The store ends a turn in one operation (turns.end); false for a store older than schema 7. */
  endsInOneWrite?: boolean;
  /** Told when writing the turn's end failed and is retried (the store is down or full). */
  onEndRetry?: (error: TitanError, attempt: number) => void;
  /** The threads' recent messages kept between turns (the agent's); without it each step reads the store. */
  history?: HistoryCache;
  /** The thread's latest messages as the turn's start read them: its first model request's history. */
  recent?: Recent;
  /** Memory's context for the user's message (with citations), added to the system prompt. */
  memory?: MemoryPort;
};

/** 'suspended': the kernel stopped while the turn waited for an approval; it resumes on the decision. */
export type TurnOutcome = { state: Extract<TurnState, 'completed' | 'failed' | 'interrupted'> | 'suspended'; text: string; error?: TitanError };
