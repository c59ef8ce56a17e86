// The agent's public surface: the gateway, the CLI and the mesh import the agent from here only.
export { Agent, type AgentOptions } from './loop/agent.ts';
export type { TurnEvent } from './loop/turn-events.ts';
export { createLlm, createLlmFromEnv, type Llm, type LlmConfig } from './llm/llm.ts';
export { providersFromEnv, configureHint, withStoredKeys } from './llm/providers-config.ts';
export type { ProviderConfig } from './llm/provider-client.ts';
export { startScriptedLlm, type ScriptedLlm } from './llm/scripted/server.ts';
export { startReflexes } from './reflex/start.ts';
export { reflexSummary, reflexDetail } from './reflex/summary.ts';
export { ReflexService } from './reflex/service.ts';
export type { ReflexRecord, ReflexState } from './reflex/records.ts';
export { decidePairing, listPairings, openPairing, getPairing, type Pairing } from './pairing.ts';
export type { AgentPorts, ReflexBuildOffload, ReflexFiles, EmbeddingBatchPort, RoutineDelivery, RoutineJobs } from './ports.ts';
// What the mesh needs to build reflexes and embed text for other nodes.
export { REFLEX_WORLD, buildInWorker } from './reflex/compiler.ts';
export { EmbedderSwitched, localEmbedder, normalise, type Embedder, type Vector } from './reflex/embedder.ts';
export { offerEmbeddings } from './reflex/start.ts';
export { McpService, type McpServerView, type McpToolView } from './mcp/service.ts';
export { agentSection, type AgentConfig } from './config.ts';
export { reflexesSection, shadowSection, type ReflexesConfig, type ShadowConfig, type ReflexConfigs } from './reflex/config.ts';
export { catalogToolHost, createTitanMcpServer, type ToolHost } from './mcp/titan-server.ts';
export type { ToolInfo } from './loop/tool-catalog.ts';
export { JobService } from './jobs/service.ts';
export { jobsSection, type JobsConfig } from './jobs/config.ts';
export type { Job, JobEvent, JobRequest, JobSpec, JobState, WorkspacePolicy } from './jobs/types.ts';
export { RoutineService, systemClock, type Clock, type RoutineView, type RoutineServiceOptions } from './routines/service.ts';
export type { RoutineInput } from './routines/input.ts';
export { routineJobs } from './routines/jobs.ts';
export type { RoutineRecord, RoutineRun } from '../components/stores/ops.ts';
