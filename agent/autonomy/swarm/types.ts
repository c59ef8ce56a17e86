// What a swarm step is made of and what it answers: the sub-agents it fans out to (each a narrow
// brief and a tool grant, or a streaming tool to watch), the limits it runs under, and per
// sub-agent what became of it. Shared by the swarm, the runner, the REST schema and the mesh port.

/**
 * Watch a streaming tool call's output (the watcher starts it), or a running job's log (by its id);
 * stop it at the first line matching `pattern`, or that the model judges to show `failure`.
 */
export type WatchSpec = { tool?: string; arguments?: Record<string, unknown>; job?: string; pattern?: string; failure?: string };

/** One sub-agent: a title, what to do (prompt, extra context), the tools it may call; or a tool call to watch. */
export type SubAgentSpec = { title: string; prompt?: string; context?: string; tools?: string[]; watch?: WatchSpec };

/** How the step's result is judged: every sub-agent must succeed, or at least one. */
export type SwarmRequire = 'all' | 'any';

export type SwarmSpec = {
  agents: SubAgentSpec[];
  /** Sub-agents running at once (this node and peers together). */
  concurrency?: number;
  /** Model tokens all the sub-agents may spend together; the ones not started once it is spent are reported not run. */
  tokenBudget?: number;
  /** Per sub-agent; one past it is stopped and reported timed out. */
  timeoutMs?: number;
  require?: SwarmRequire;
};

/** stopped_early: a watcher saw what it watched for and cancelled the tool call. */
export type SubAgentStatus = 'succeeded' | 'failed' | 'timed_out' | 'not_run' | 'stopped_early';

export type SubAgentResult = {
  index: number;
  title: string;
  status: SubAgentStatus;
  /** Where it ran: "local" or the peer's id. */
  node: string;
  output?: string;
  error?: { code: string; message: string };
  tokens: number;
  ms: number;
  /** A watcher's early stop: the line that triggered it, and whether the pattern or the model saw it. */
  trigger?: { line: string; by: 'pattern' | 'model' };
};

export type SwarmReport = {
  agents: number;
  counts: Record<SubAgentStatus, number>;
  tokens: number;
  tokenBudget: number;
  peakConcurrency: number;
  /** Sub-agents that ran on peers, and peers' runs that came back here (a lost peer, a refusal). */
  onPeers: number;
  fellBack: number;
  ok: boolean;
  merged: string;
  results: SubAgentResult[];
};

/** What a sub-agent without tools carries to a peer (a peer runs it with its own model). */
export type SubAgentBrief = { title: string; prompt: string; context?: string; maxSteps: number };
export type SubAgentAnswer = { text: string; tokens: number };
