// Starting memory with an agent (what `titan start` does): the service on the kernel's store and
// workspace, the chat provider's embeddings when configured, the model as extractor when asked for,
// turns offered their context, and indexing and watching in the background (batches of files on
// mesh peers when the mesh is on).
import type { Kernel } from '../../kernel/kernel.ts';
import type { Agent } from '../loop/agent.ts';
import type { Llm } from '../llm/llm.ts';
import type { AgentPorts } from '../ports.ts';
import type { MemoryConfig } from './config.ts';
import type { ModelStream } from './extractor.ts';
import { MemoryService } from './service.ts';

/** The model that tags documents, as memory.tagger says: the background one, the chat one, or none (keywords). */
export function taggerModel(config: MemoryConfig, llm: Llm | undefined): ModelStream | undefined {
  if (!llm?.configured || config.tagger === 'keywords') return undefined;
  if (config.tagger === 'auto' && !llm.background) return undefined;
  return (request) => llm.stream(request, { purpose: 'background' });
}

export async function startMemory(
  kernel: Kernel,
  agent: Agent,
  llm: Llm | undefined,
  config: MemoryConfig,
  ports: AgentPorts = {},
): Promise<MemoryService | undefined> {
  if (!config.enabled) return undefined;
  const memory = await MemoryService.open(kernel, {
    workspace: kernel.workspace,
    config,
    provider: llm?.background ?? llm?.providers[0],
    model: llm?.configured ? (request) => llm.stream(request, { purpose: 'background' }) : undefined,
    tagModel: taggerModel(config, llm),
    indexBuilds: ports.indexBuilds,
  });
  memory.start(kernel);
  agent.memory = memory;
  return memory;
}
