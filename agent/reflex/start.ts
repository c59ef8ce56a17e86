// Starting reflexes with an agent (what `titan start` does): the service on the kernel's store,
// its embedder from the configuration, the agent's fast path pointed at it.
import type { Agent } from '../loop/agent.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Llm } from '../llm/llm.ts';
import { ReflexService } from './service.ts';
import { meshOf } from '../../mesh/running.ts';
import { localEmbedder, type Embedder } from './embedder.ts';

export async function startReflexes(kernel: Kernel, agent: Agent, llm: Llm | undefined): Promise<ReflexService | undefined> {
  if (!kernel.config.reflexes) return undefined;
  const provider = llm?.background ?? llm?.providers[0];
  const embedder = ReflexService.embedderFor(kernel, provider);
  const service = new ReflexService(kernel, {
    llm: llm?.configured ? (request, options) => llm.stream(request, options) : undefined,
    tools: agent.tools,
    embedder,
  });
  offerEmbeddingsToMesh(kernel, embedder);
  await service.start();
  agent.useReflexes(service);
  return service;
}

/** A node with provider embeddings embeds batches for mesh peers that have none (reflexEmbeddings "mesh"). */
export function offerEmbeddingsToMesh(kernel: Kernel, embedder: Embedder): void {
  if (kernel.config.reflexEmbeddings === 'provider' && embedder !== localEmbedder) meshOf(kernel)?.embeddingBatches.serveWith(embedder, kernel.config.reflexEmbeddingModel);
}
