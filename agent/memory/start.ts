// Starting memory with an agent (what `titan start` does): the service on the kernel's store and
// workspace, the chat provider's embeddings when configured, the model as extractor when asked for,
// turns offered their context, and indexing and watching in the background.
import type { Kernel } from '../../kernel/kernel.ts';
import type { Agent } from '../loop/agent.ts';
import type { Llm } from '../llm/llm.ts';
import type { MemoryConfig } from './config.ts';
import { MemoryService } from './service.ts';

export async function startMemory(kernel: Kernel, agent: Agent, llm: Llm | undefined, config: MemoryConfig): Promise<MemoryService | undefined> {
  if (!config.enabled) return undefined;
  const memory = await MemoryService.open(kernel, {
    workspace: kernel.workspace,
    config,
    provider: llm?.background ?? llm?.providers[0],
    model: llm?.configured ? (request) => llm.stream(request, { purpose: 'background' }) : undefined,
  });
  memory.start(kernel);
  agent.memory = memory;
  return memory;
}
