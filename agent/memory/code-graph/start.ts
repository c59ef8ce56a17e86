// Starting the code graph with Titan (what `titan start` does): the workspace's graph loaded from the
// store, indexed and watched in the background, and offered to implicit context through the memory
// service. Indexing never blocks start: until it finishes, the graph answers from what was stored.
import { mkdir } from 'node:fs/promises';
import type { Kernel } from '../../../kernel/kernel.ts';
import type { MemoryService } from '../service.ts';
import { CodeGraph, type IndexReport } from './code-graph.ts';
import type { CodeGraphConfig } from './config.ts';
import { codeGraphPort, codeGraphService } from './port.ts';
import type { AgentPorts } from '../../ports.ts';
import { PeerParsing, parseCodeBatch } from './peer-parse.ts';

export type CodeGraphRunning = { graph: CodeGraph; indexed: Promise<IndexReport | undefined>; close(): Promise<void> };

/** The graph `titan start` keeps for each kernel, for the routes (one copy in memory, not two). */
const running = new WeakMap<Kernel, CodeGraph>();

/**
 * The kernel's code graph: the running one, or (a CLI command with no Titan running) one opened on
 * the store for this process, answering from what was last indexed.
 */
export async function codeGraphOf(kernel: Kernel): Promise<CodeGraph> {
  let graph = running.get(kernel);
  if (!graph) {
    await mkdir(kernel.workspace, { recursive: true });
    graph = await CodeGraph.open(kernel.db, kernel.workspace);
    running.set(kernel, graph);
  }
  return graph;
}

export async function startCodeGraph(
  kernel: Kernel,
  memory: MemoryService | undefined,
  config: CodeGraphConfig,
  warn: (message: string) => void,
  ports: AgentPorts = {},
): Promise<CodeGraphRunning | undefined> {
  if (!config.enabled) return undefined;
  await mkdir(kernel.workspace, { recursive: true });
  const graph = await CodeGraph.open(kernel.db, kernel.workspace, { maxFileBytes: config.maxFileBytes });
  running.set(kernel, graph);
  // With the mesh on, peers parse batches of changed files (verified here), and this node parses theirs.
  if (ports.indexBuilds) {
    graph.peers = new PeerParsing(ports.indexBuilds, kernel.logger);
    ports.indexBuilds.serveCodeWith(parseCodeBatch);
  }
  if (memory) memory.codeGraph = codeGraphPort(graph);
  kernel.services.codeGraph = codeGraphService(graph);
  let closed = false;
  const indexed = graph.index().catch((error: Error) => {
    if (!closed) warn(`code graph: indexing ${graph.root} failed: ${error.message}`);
    return undefined;
  });
  const watcher = config.watch ? graph.watch(undefined, (error) => warn(`code graph: re-indexing failed: ${error.message}`)) : undefined;
  return {
    graph,
    indexed,
    async close() {
      closed = true;
      graph.stop();
      watcher?.close();
      kernel.services.codeGraph = undefined;
      running.delete(kernel);
      await indexed;
    },
  };
}
