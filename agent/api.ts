// The agent's public surface: the gateway, the CLI and the mesh import the agent from here, and its
// long-running services (reflexes, memory, the code graph, jobs, routines, goals, the profile,
// onboarding, JIT and kernel-patch tools) from ./services.ts, where they start them. Kept apart because
// the start bundle loads every module a module it loads names: `titan start` imports the services after
// ready, so their code is evaluated then. What the gateway's routes call of them is loaded on first use below.
export { Agent, type AgentOptions, type MessageOrigin } from './loop/agent.ts';
export type { TurnEvent } from './loop/turn-events.ts';
export { createLlm, createLlmFromEnv, type Llm, type LlmConfig } from './llm/llm.ts';
export { providersFromEnv, configureHint, withStoredKeys, PROVIDER_KEY_NAMES } from './llm/providers-config.ts';
export { withConfiguredProvider, type ProviderSection } from './llm/provider-section.ts';
export type { ProviderConfig } from './llm/provider-client.ts';
import type { ScriptedLlm, ScriptedLlmOptions } from './llm/scripted/server.ts';
export type { ScriptedLlm, ScriptedLlmOptions };
/** The scripted LLM server, loaded on first use (it compiles its script schema as it loads). */
export async function startScriptedLlm(options?: ScriptedLlmOptions): Promise<ScriptedLlm> {
  return (await import('./llm/scripted/server.ts')).startScriptedLlm(options);
}
export { reflexSummary, reflexDetail } from './reflex/summary.ts';
export type { ReflexService } from './reflex/service.ts';
export { forgetThreadsInReflexes, threadIdsOf } from './reflex/forget.ts';
export type { ReflexRecord, ReflexState } from './reflex/records.ts';
export { decidePairing, listPairings, openPairing, getPairing, type Pairing } from './pairing.ts';
export type {
  AgentPorts,
  ReflexBuildOffload,
  ReflexFiles,
  EmbeddingBatchPort,
  RoutineDelivery,
  RoutineJobs,
  SubAgentOffload,
  IndexBatch,
  IndexAnswer,
  IndexBuildOffload,
  CodeBatch,
  CodeAnswer,
} from './ports.ts';
// What the mesh needs to build reflexes and embed text for other nodes.
export { REFLEX_WORLD, buildInChild } from './reflex/compiler.ts';
export { EmbedderSwitched, localEmbedder, localEmbedding, normalise, providerEmbedder, type Embedder, type Vector } from './reflex/embedder.ts';
export { McpService, type McpServerView, type McpToolView } from './mcp/service.ts';
export { agentSection, type AgentConfig } from './config.ts';
export { reflexesSection, shadowSection, type ReflexesConfig, type ShadowConfig, type ReflexConfigs } from './reflex/config.ts';
export { catalogToolHost, type ToolHost } from './mcp/tool-host.ts';
import type { ToolHost } from './mcp/tool-host.ts';
/** Titan's tools as an MCP server; the MCP SDK loads with the first server, not with the agent. */
export const createTitanMcpServer = async (host: ToolHost) => (await import('./mcp/titan-server.ts')).createTitanMcpServer(host);
/** The MCP SDK's server transports (stdio for `titan mcp serve`, Streamable HTTP for the gateway's /mcp), loaded on use. */
export const mcpStdioServerTransport = async () => (await import('./mcp/sdk.ts')).StdioServerTransport;
export const mcpHttpServerTransport = async () => (await import('./mcp/sdk.ts')).streamableHttpServerTransport();
export type { ToolInfo } from './loop/tool-catalog.ts';
export type { JobService } from './jobs/service.ts';
export { MAX_PARTS, type Swarm, type SwarmRequest } from './jobs/swarm.ts';
export { exportFolder } from './jobs/export.ts';
export { jobsSection, type JobsConfig } from './jobs/config.ts';
export type { Job, JobEvent, JobRequest, JobSpec, JobState, WorkspacePolicy } from './jobs/types.ts';
export type { Clock, RoutineService, RoutineView, RoutineServiceOptions } from './routines/service.ts';
export type { RoutineInput } from './routines/input.ts';
export type { RoutineRecord, RoutineRun } from '../components/stores/ops.ts';
export type { MemoryService, IndexReport } from './memory/service.ts';
export { memorySection, type MemoryConfig } from './memory/config.ts';
export type { CodeGraphPort } from './memory/implicit.ts';
export type { Autonomy } from './autonomy/start.ts';
export type { ControlPlane, StepInput, VerifySpec, GoalQuery } from './autonomy/control-plane.ts';
export { GOAL_ALIASES, GOAL_STATUSES, PLAN_STATUSES, STEP_STATUSES, type GoalAlias } from './autonomy/states.ts';
export type { GoalEvent } from './autonomy/events.ts';
export { swarmSection, type SwarmConfig } from './autonomy/swarm/config.ts';
export type { SubAgentAnswer, SubAgentBrief, SubAgentResult, SwarmReport, SwarmSpec } from './autonomy/swarm/types.ts';
export type { Profile } from './profile/start.ts';
export { PROFILE_FILES, factsOf, readSection, type ProfileFile } from './profile/sections.ts';
export type { ProfileChange } from './profile/changes.ts';
export type { Onboarding } from './onboarding/service.ts';
export { llmSourceModel } from './kernel-patch/source-model.ts';
export type { CodeGraph, CodeGraphStatus, IndexReport as CodeIndexReport } from './memory/code-graph/code-graph.ts';
export { codeGraphSection, type CodeGraphConfig } from './memory/code-graph/config.ts';
export type { CodeGraphRunning } from './memory/code-graph/start.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { Agent as AgentLoop } from './loop/agent.ts';
/** The kernel's code graph (started after ready by `titan start`), loaded on first use. */
export const codeGraphOf = async (kernel: Kernel) => (await import('./memory/code-graph/start.ts')).codeGraphOf(kernel);
/** The goals control plane of this kernel and agent, loaded on first use. */
export const autonomyOf = async (kernel: Kernel, agent: AgentLoop) => (await import('./autonomy/start.ts')).startAutonomy(kernel, agent);
/** The profile files of this kernel and agent, loaded on first use. */
export const profileOf = async (kernel: Kernel, agent: AgentLoop) => (await import('./profile/start.ts')).startProfile(kernel, agent);
