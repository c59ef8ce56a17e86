// Which embedder the reflexes use: the provider's embeddings endpoint, a mesh peer's, or the local one.
import type { AgentPorts } from '../ports.ts';
import type { ReflexesConfig } from './config.ts';
import { localEmbedder, providerEmbedder, type Embedder } from './embedder.ts';

/** The embedder the configuration names: the provider's embeddings endpoint, or the local one. */
export function embedderFor(
  config: ReflexesConfig,
  provider: Parameters<typeof providerEmbedder>[0] | undefined,
  ports: AgentPorts = {},
  env: Record<string, string | undefined> = process.env,
): Embedder {
  if (config.embeddings === 'provider' && provider) return providerEmbedder(provider, config.embeddingModel, env);
  // "mesh": batches go to another node that offers embeddings (the port); without one, local.
  if (config.embeddings === 'mesh') return ports.embeddingBatches?.embedder() ?? localEmbedder;
  return localEmbedder;
}
