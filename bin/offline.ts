// The route table in this process, for a CLI command when no kernel runs: a kernel opened on
// $TITAN_HOME for the command alone, the agent's wing as the routes need it (no turns run), and the
// gateway's routes as the control socket serves them, on a socket of this process's own.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Kernel } from '../kernel/api.ts';
import { Agent, createLlmFromEnv } from '../agent/api.ts';
import { engineCheck, MemoryService, ReflexService, RoutineService } from '../agent/services.ts';
import { createControlApp } from '../gateway/app.ts';
import { closeDeps, gatewayDeps } from '../gateway/server.ts';
import { openKernel } from './config.ts';
import { send, type Client, type OfflineOptions } from './route-request.ts';

/** The serving versions are restored first: the store among them holds the patch queue. */
async function restore(kernel: Kernel, storeOnly = false): Promise<void> {
  const store = `store/${kernel.config.store}`;
  for (const failure of await kernel.restoreDeployments(storeOnly ? (slot) => slot === store : undefined)) {
    process.stderr.write(`warning: ${failure.slot} could not be restored: ${failure.error.code}: ${failure.error.message}\n`);
  }
}

export async function openOffline(options: OfflineOptions): Promise<Client> {
  const { kernel, config } = await openKernel({ logToFile: true, config: { controlSocket: false } });
  const closing: Array<() => Promise<void> | void> = [() => kernel.close()];
  const close = async () => {
    for (const step of closing.splice(0).reverse()) await step();
  };
  try {
    await (options.prepare ? options.prepare(kernel) : restore(kernel, options.storeOnly));
    const llm = createLlmFromEnv(kernel);
    // The agent's tools as configured (the mcp routes serve them to `titan mcp serve`); it runs no turns here.
    const agent = new Agent(kernel, {
      workspace: kernel.workspace,
      llm: (request, opts) => llm.stream(request, opts),
      trustedTools: config.agent.trustedTools,
      guardedTools: config.agent.guardedTools,
    });
    closing.push(() => agent.close());
    if (options.reflexes) {
      // The records in the store, no mining: nothing runs turns here.
      const reflexes = new ReflexService(kernel, { mineDelayMs: 3_600_000, config });
      await reflexes.start();
      closing.push(() => reflexes.close());
      agent.reflexes = reflexes;
    }
    if (options.memory && config.memory.enabled) {
      // What the store holds, loaded; no watching and no background indexing (`titan memory index` asks).
      const memory = await MemoryService.open(kernel, { workspace: kernel.workspace, config: { ...config.memory, watch: false } });
      closing.push(() => memory.close());
      agent.memory = memory;
    }
    let routines: RoutineService | undefined;
    if (options.routines) {
      // Passive: nothing is scheduled or caught up in a command's process; `titan start` does that.
      const jobs = engineCheck(config.jobs.dockerSocket);
      routines = await RoutineService.start({ kernel, agent, ownerId: os.userInfo().username, passive: true, jobs });
      closing.push(() => routines?.close());
    }
    const deps = await gatewayDeps({ kernel, agent, llm, config: config.gateway, meshConfig: config.mesh, createToken: false, routines });
    closing.push(() => closeDeps(deps));
    // The route table listens on a socket of this process's own, in a folder only it uses.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-cli-'));
    closing.push(() => rm(dir, { recursive: true, force: true }));
    const socketPath = path.join(dir, 'routes.sock');
    const server = http.createServer(createControlApp(deps).callback());
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
    closing.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    return { running: false, request: (method, route, body) => send(socketPath, method, route, body), close };
  } catch (error) {
    await close();
    throw error;
  }
}
