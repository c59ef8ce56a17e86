// Starting reflexes with an agent (what `titan start` does): the service on the kernel's store,
// its embedder from the configuration, the agent's fast path pointed at it, and the ports to
// other nodes (agent/ports.ts) that build reflexes and share embeddings when a mesh runs.
import type { Agent } from '../loop/agent.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Llm } from '../llm/llm.ts';
import type { AgentPorts } from '../ports.ts';
import { ReflexService } from './service.ts';
import { localEmbedder, type Embedder } from './embedder.ts';
import type { ReflexConfigs, ReflexesConfig } from './config.ts';

export async function startReflexes(
  kernel: Kernel,
  agent: Agent,
  llm: Llm | undefined,
  config: ReflexConfigs,
  ports: AgentPorts = {},
): Promise<ReflexService | undefined> {
  if (!config.reflexes.enabled) return undefined;
  const provider = llm?.background ?? llm?.providers[0];
  const embedder = ReflexService.embedderFor(config.reflexes, provider, ports);
  const service = new ReflexService(kernel, {
    llm: llm?.configured ? (request, options) => llm.stream(request, options) : undefined,
    tools: agent.tools,
    embedder,
    reflexBuilds: ports.reflexBuilds,
    backgroundModel: llm?.background !== undefined,
    config,
  });
  offerEmbeddings(config.reflexes, embedder, ports);
  await service.start();
  agent.useReflexes(service);
  return service;
}

/** A node with provider embeddings embeds batches for other nodes that have none (reflexes.embeddings "mesh"). */
export function offerEmbeddings(config: ReflexesConfig, embedder: Embedder, ports: AgentPorts): void {
  if (config.embeddings === 'provider' && embedder !== localEmbedder) ports.embeddingBatches?.serveWith(embedder, config.embeddingModel);
}
