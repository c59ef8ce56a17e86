// The agent as `titan start` runs it: the providers the environment configures (or, with
// TITAN_PROVIDER=scripted and no TITAN_SCRIPTED_LLM_URL, the scripted LLM server started here in
// echo mode, so the whole flow can be seen offline), the workspace, and the REPL on a terminal.
import os from 'node:os';
import type { Kernel } from '../kernel/api.ts';
import {
  Agent,
  configureHint,
  createLlmFromEnv,
  startScriptedLlm,
  withConfiguredProvider,
  withStoredKeys,
  type AgentConfig,
  type Llm,
  type ProviderSection,
} from '../agent/api.ts';
import type { Repl } from './repl.ts';

export type AgentSession = { agent: Agent; llm: Llm; repl?: Repl; configured: boolean; close(): Promise<void> };

export async function startAgent(
  kernel: Kernel,
  config: AgentConfig,
  provider: ProviderSection,
  say: (line: string) => void,
  interactive: boolean,
): Promise<AgentSession> {
  // The provider from the environment, else config.json's (titan onboard); keys from the
  // environment, else from the secret store (titan secrets set).
  const env = withStoredKeys(withConfiguredProvider({ ...process.env }, provider), (name) => kernel.secrets.get(name));
  let scripted: { close(): Promise<void> } | undefined;
  if (env.TITAN_PROVIDER === 'scripted' && !env.TITAN_SCRIPTED_LLM_URL) {
    const server = await startScriptedLlm();
    scripted = server;
    env.TITAN_SCRIPTED_LLM_URL = server.url;
    say(`scripted LLM server on ${server.url} (echo mode: it answers "echo: <your message>")`);
  }
  const llm = createLlmFromEnv(kernel, env);
  if (!llm.configured) say(configureHint());
  else say(`model provider: ${llm.providers.map((p) => `${p.name}${p.model ? ` (${p.model})` : ''}`).join(', then ')}`);
  const agent = new Agent(kernel, {
    workspace: kernel.workspace,
    llm: (request, options) => llm.stream(request, options),
    model: env.TITAN_MODEL ?? '',
    earlyExecution: config.earlyExecution,
    approvalTtlMs: config.approvalTtlMs,
    trustedTools: config.trustedTools,
    guardedTools: config.guardedTools,
  });
  const { waiting, interrupted, recovers } = await agent.start();
  if (interrupted) say(`${interrupted} turn(s) running when Titan last stopped are marked interrupted (what they had said is kept)`);
  if (!recovers)
    say(
      "turns cut by a crash are not recovered, and an answer and its turn's end are two writes: the serving store predates schema 7; approve its newer version (npx titan kernel patches), then restart",
    );
  if (waiting.length) say(`${waiting.length} tool call(s) wait for approval from before the restart`);
  // The REPL (and node:readline) loads only on a terminal.
  const repl = interactive
    ? new (await import('./repl.ts')).Repl({ kernel, agent, userId: os.userInfo().username, input: process.stdin, output: process.stdout, color: true })
    : undefined;
  // Not started yet: the caller starts it (repl.start()) once its own start-up lines are printed.
  return {
    agent,
    llm,
    repl,
    configured: llm.configured,
    async close() {
      await agent.close();
      await scripted?.close();
    },
  };
}
