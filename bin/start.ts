// `titan start` (what `npm start` runs), loaded only when it runs: the parts of a running Titan, each started once what it
// needs runs, closed in reverse (bin/parts.ts): the control socket, the kernel on $TITAN_HOME, the
// components (built-ins built and deployed from cache after the first start), the mesh when it is
// on, the agent (and the REPL on a terminal), reflexes, channels and the gateway (HTTP API on
// TITAN_HOST:TITAN_PORT), whose route table the control socket then serves too. The mesh's
// implementations of the kernel's and the agent's ports are wired in here. Runs until a signal or /quit.
import os from 'node:os';
import { ERRORS, isTitanError } from '../common/errors.ts';
import { homePaths, titanHome } from '../common/home.ts';
import { Kernel, bootstrapBuiltins, builtinSlots, builtinsServing } from '../kernel/api.ts';
import { loadTitanConfig, type TitanConfig } from './config.ts';
import { consoleProgress } from '../toolchain/progress.ts';
import { startAgent, type AgentSession } from './agent-session.ts';
import { showMigrations } from './migration-progress.ts';
import { HeapPages } from './heap-pages.ts';
import { describeCpu, describeTimings, nodeStart, Parts, threadCpuMs } from './parts.ts';
import { startTracing, type Tracing } from './telemetry.ts';
import { createControlApp } from '../gateway/app.ts';
import { claimControlSocket, type ControlSocket } from '../gateway/control-socket.ts';
import { startGateway, type Gateway } from '../gateway/server.ts';
import type { LateParts } from '../gateway/late-parts.ts';
import type { ChannelRuntime } from '../gateway/channels/runtime.ts';
import { McpService, type CodeGraphRunning, type JobService, type MemoryService, type ReflexService, type RoutineService } from '../agent/api.ts';
import type { Mesh } from '../mesh/mesh.ts';
import { titanConfigFile } from './config-file.ts';
import { rebuildInBackground, runningBundle } from './bundle/fresh.ts';

/** Builds (from cache) and publishes the built-ins, deploys those with no serving version, proposes newer ones. */
async function checkBuiltins(kernel: Kernel, say: (line: string) => void) {
  const report = await bootstrapBuiltins(kernel, { progress: consoleProgress(process.stdout) });
  if (report.published.length) say(`published to the registry: ${report.published.join(', ')}`);
  for (const patch of report.proposed) say(`newer version proposed as a patch: ${patch} (npx titan kernel patches)`);
  for (const failure of report.failed) say(`not serving ${failure.slot}: ${failure.error}`);
  kernel.startUpdateWatcher();
  // Recorded calls saved every minute; the monitor proposing faster versions (config kernel.optimise).
  kernel.startSelfOptimising();
  return report;
}

/** The store schema version whose operations each feature uses. */
const FEATURE_SCHEMA = { channels: 5, reflexes: 6, jobs: 8, routines: 9, memory: 10, autonomy: 11, 'code graph': 13 } as const;

/**
 * Which features the serving store has the operations for. After an update, the newer built-in
 * store waits in the patch queue for the owner's approval; until then the features it brings stay
 * off (said once, with what to do) and everything else serves as before.
 */
async function storeFeatures(kernel: Kernel, say: (line: string) => void): Promise<(feature: keyof typeof FEATURE_SCHEMA) => boolean> {
  const latest = (await kernel.store.status()).latest;
  const version = kernel.components().find((c) => c.slot === `store/${kernel.config.store}`)?.version;
  for (const [feature, schema] of Object.entries(FEATURE_SCHEMA)) {
    if (latest < schema)
      say(
        `${feature} are off: the serving store/${kernel.config.store}@${version} predates them; approve its newer version (npx titan kernel patches), then restart`,
      );
  }
  return (feature) => latest >= FEATURE_SCHEMA[feature];
}

export async function startCommand(): Promise<number> {
  const started = performance.now();
  const loadedCpu = threadCpuMs();
  const say = (line: string) => process.stdout.write(line + '\n');
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const parts = new Parts((part, error) => say(`closing ${part} failed: ${String(error)}`));
  // Each part's value, set once it has started.
  let config!: TitanConfig;
  let warnings!: string[];
  let control: ControlSocket | undefined;
  let tracing: Tracing | undefined;
  let kernel!: Kernel;
  let builtinsChecked = false;
  let mesh: Mesh | undefined;
  let session!: AgentSession;
  let storeHas!: Awaited<ReturnType<typeof storeFeatures>>;
  let reflexes: ReflexService | undefined;
  let memory: MemoryService | undefined;
  let codeGraph: CodeGraphRunning | undefined;
  let mcp!: McpService;
  let channels: ChannelRuntime | undefined;
  let routines: RoutineService | undefined;
  let gateway!: Gateway;
  let jobs: JobService | undefined;
  let unplugShell: (() => void) | undefined;
  // What the gateway is handed once the parts after ready run (the 'serving' part).
  const lateParts = Promise.withResolvers<LateParts>();

  parts.add({
    // Before any state is touched: a second kernel on the same home would fight the first over it.
    // It answers (the gateway's routes, as the owner) once the gateway runs; until then requests wait.
    name: 'control socket',
    start: async () => {
      // Every section loaded once (and checked whole); each part is handed its own.
      ({ config, warnings } = await loadTitanConfig());
      if (config.kernel.controlSocket) control = await claimControlSocket(homePaths(titanHome()).controlSocket);
    },
    close: async () => {
      await control?.close();
    },
  });
  parts.add({
    // Before the kernel, so the first spans (the built-ins' start) are exported too.
    name: 'telemetry',
    needs: ['control socket'],
    start: async () => {
      tracing = await startTracing(config.telemetry);
      if (tracing) say(`traces exported over OTLP to ${tracing.url}`);
    },
    close: async () => {
      await tracing?.close();
    },
  });
  parts.add({
    name: 'kernel',
    needs: ['control socket', 'telemetry'],
    start: async () => {
      kernel = await Kernel.open({ loaded: { config: config.kernel, warnings }, server: true });
    },
    close: () => kernel.close(),
  });
  parts.add({
    name: 'components',
    needs: ['kernel'],
    start: async () => {
      say(`Titan kernel on Node ${process.versions.node}, home ${kernel.paths.home}`);
      for (const warning of kernel.warnings) say(`warning: ${warning}`);
      showMigrations(kernel, say);
      // Ready means the store migrated and the serving components loaded: a start restores those
      // first. Checking the built-ins for new versions (a build on the first start) comes before
      // readiness only when one of them has no serving version yet.
      const builtins = builtinSlots(); // read from disk while the deployments are restored
      builtins.catch(() => {}); // a failure is the check's below
      await kernel.restoreDeployments(); // what fails here is retried and reported by checkBuiltins
      if (!(await builtinsServing(kernel, builtins))) {
        await checkBuiltins(kernel, say);
        builtinsChecked = true;
      }
    },
  });
  parts.add({
    name: 'mesh',
    needs: ['components'],
    start: async () => {
      if (!config.mesh.enabled) return;
      // libp2p loads only when the mesh is on.
      const { Mesh } = await import('../mesh/mesh.ts');
      mesh = await Mesh.start(kernel, config.mesh); // plugs itself into the kernel's ports (kernel/ports.ts)
      say(`mesh: peer id ${mesh.id} on ${mesh.node.getMultiaddrs().join(' ')} (npx titan mesh status)`);
    },
    close: async () => {
      await mesh?.stop();
    },
  });
  parts.add({
    name: 'agent',
    needs: ['components'],
    start: async () => {
      session = await startAgent(kernel, config.agent, config.provider, say, process.stdin.isTTY === true);
      storeHas = await storeFeatures(kernel, say);
    },
    close: () => session.close(),
  });
  parts.add({
    // MCP servers from the config's mcp section, their tools lent to the agent: each server gets
    // its first attempt here; one that fails is retried in the background (`titan mcp list`).
    name: 'mcp',
    needs: ['agent'],
    start: async () => {
      mcp = await McpService.start(kernel, session.agent);
      for (const s of mcp.servers())
        say(`MCP server ${s.name}: ${s.state === 'up' ? `${s.tools} tools` : `${s.state} (${s.lastError?.code}: ${s.lastError?.message})`}`);
    },
    close: () => mcp.close(),
  });
  parts.add({
    // Ready once it listens: the store, the components and the agent run. The parts below start after
    // ready; until they run, requests other than health and ready wait for them (gateway/late-parts.ts).
    name: 'gateway',
    needs: ['agent', 'mcp', 'mesh'],
    ready: true,
    start: async () => {
      gateway = await startGateway({
        kernel,
        agent: session.agent,
        llm: session.llm,
        config: config.gateway,
        say,
        opening: lateParts.promise,
        mesh,
        meshConfig: config.mesh,
        mcp,
        configFile: titanConfigFile(),
      });
      control?.serve(createControlApp(gateway.deps).callback());
      // The parts starting after ready load their state from the store: requests go first meanwhile.
      kernel.store.yielding = true;
      const serving = kernel
        .components()
        .filter((c) => c.version)
        .map((c) => `${c.slot}@${c.version}`);
      say(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s: ${serving.length} components serving (${serving.join(', ')})`);
      say(`try: npx titan registry list | npx titan components | npx titan call echo '{"text":"hello"}'`);
    },
    close: () => gateway.close(),
  });
  parts.add({
    // Every turn needs the configured providers: loaded and warm first thing after ready (a turn
    // sent at ready waits for it at the gateway, as it would for their first load). The other
    // restored versions (the store aside) load on their first call: what is never called costs nothing.
    name: 'providers',
    needs: ['gateway'],
    start: async () => {
      const providers = new Set(session.llm.providers.map((p) => `provider/${p.component}`));
      await kernel.warmRestored((slot) => providers.has(slot));
    },
  });
  parts.add({
    // Goals, the profile, JIT and kernel-patch tools: used by turns only, which wait for the parts after ready.
    name: 'agent tools',
    needs: ['gateway'],
    start: async () => {
      const { JitTool, KernelPatchTool, llmSourceModel, startAutonomy, startProfile } = await import('../agent/services.ts');
      // Multi-step requests become goals the model pursues (the Goals page, titan goal).
      if (storeHas('autonomy')) startAutonomy(kernel, session.agent, { swarm: config.swarm });
      // Durable preferences and facts from what the owner says, into the profile files' managed sections.
      if (session.llm.configured)
        startProfile(kernel, session.agent, (request) => session.llm.stream(request, { purpose: 'background' }), { ownerId: os.userInfo().username });
      // One-off tools the model writes; their runtime is built in the background (cached after the first start).
      session.agent.tools.addSource(new JitTool(kernel));
      // The patch queue in the agent's hands (deciding needs the owner's approval of each call; its model writes new channels and providers).
      session.agent.tools.addSource(new KernelPatchTool(kernel, session.llm.configured ? llmSourceModel(session.llm) : undefined));
      // The monitor asks the model for faster versions of slow tools when kernel.optimiseRewrite is on.
      if (session.llm.configured) kernel.optimiser.useModel(llmSourceModel(session.llm));
      void kernel.jit.prepare().catch((error: Error) => say(`JIT tools unavailable: ${error.message}`));
    },
  });
  parts.add({
    // Reflexes and shadow workers: mining, compiling and predicting run in the background; the
    // mesh, when on, builds reflexes and shares embeddings through the agent's ports.
    name: 'reflexes',
    needs: ['gateway'],
    start: async () => {
      const { startAutonomy, startOnboarding, startReflexes } = await import('../agent/services.ts');
      reflexes = storeHas('reflexes') ? await startReflexes(kernel, session.agent, session.llm, config, mesh?.agentPorts) : undefined;
      // A swarm's sub-agents without tools go to peers' free slots, and peers' run here.
      if (mesh && storeHas('autonomy')) startAutonomy(kernel, session.agent).useMesh(mesh.agentPorts);
      // A person's first chat on a people channel (web UI, REPL, titan chat, a messaging platform)
      // starts with Titan's onboarding questions (skippable); programs are never asked (the
      // message's origin). agent.onboarding false turns it off. In front of the reflexes' fast path.
      if (config.agent.onboarding && storeHas('autonomy')) startOnboarding(kernel, session.agent, { ownerId: os.userInfo().username });
    },
    close: async () => {
      await reflexes?.close();
    },
  });
  parts.add({
    // Workspace and conversation memory: loaded from the store, indexed and watched in the background
    // (with the mesh on, batches of files are indexed on peers with the same embedder, and theirs here).
    name: 'memory',
    needs: ['gateway'],
    start: async () => {
      const { startMemory } = await import('../agent/services.ts');
      memory = storeHas('memory') ? await startMemory(kernel, session.agent, session.llm, config.memory, mesh?.agentPorts) : undefined;
    },
    close: async () => {
      await memory?.close();
    },
  });
  parts.add({
    // The workspace's code graph: loaded from the store, indexed and watched in the background, offered to implicit context.
    name: 'code-graph',
    needs: ['memory'],
    start: async () => {
      const { startCodeGraph } = await import('../agent/services.ts');
      codeGraph = storeHas('code graph') ? await startCodeGraph(kernel, memory, config.codeGraph, say, mesh?.agentPorts) : undefined;
    },
    close: async () => {
      await codeGraph?.close();
    },
  });
  parts.add({
    name: 'channels',
    needs: ['gateway'],
    start: async () => {
      const { startChannelRuntime } = await import('../gateway/channels/start.ts');
      channels = storeHas('channels') ? await startChannelRuntime(kernel, session.agent, config.channels, say) : undefined;
    },
    close: async () => {
      await channels?.close();
    },
  });
  parts.add({
    // Sandbox jobs on the Docker engine; the jobs a previous process left are reconciled here.
    name: 'jobs',
    needs: ['gateway'],
    start: async () => {
      const { JobService, routineJobs, startAutonomy } = await import('../agent/services.ts');
      // The jobs a previous process left are reconciled once Titan is ready (below).
      jobs = storeHas('jobs') ? await JobService.start(kernel, config.jobs, { reconcile: false }) : undefined;
      // Agent jobs' workers get their model answers through Titan's LLM: the keys stay here.
      if (jobs && session.llm.configured) jobs.useModel((request, options) => session.llm.stream(request, options), config.jobs.agentModel);
      // A swarm's watcher sub-agents may follow a job's log and stop it at the failure they watch for.
      if (jobs && storeHas('autonomy')) startAutonomy(kernel, session.agent).useJobs(jobs);
      // Why jobs cannot run here: no engine answers, or its client (dockerode, an optional install) is missing.
      const noDocker = jobs
        ? await jobs.engine.ping().then(
            () => undefined,
            (error: unknown) => error,
          )
        : undefined;
      const docker = jobs !== undefined && noDocker === undefined;
      if (jobs && !docker)
        say(
          isTitanError(noDocker, 'TITAN_E_DOCKER_CLIENT_MISSING')
            ? `jobs: ${noDocker.message}; jobs are refused and the shell runs on the host (${ERRORS.TITAN_E_DOCKER_CLIENT_MISSING.fix})`
            : `jobs: no Docker engine answers at ${config.jobs.dockerSocket}; jobs are refused until one does`,
        );
      // With the mesh on, this node runs routines' jobs for peers that have no Docker.
      if (jobs && docker && mesh) mesh.jobRuns.serveWith(routineJobs(jobs));
      // The shell's commands run in the sandbox when it can be had: there the workspace-write
      // policy needs no approval. On the host (jobs.shell "host", or no engine) each one asks.
      if (jobs && docker && config.jobs.shell === 'sandbox') {
        const unplug = jobs.plugShell();
        const untrust = session.agent.tools.trust('shell');
        unplugShell = () => {
          untrust();
          unplug();
        };
        say(
          'shell: commands run in a Docker sandbox container (workspace writable, no network); set jobs.shell to "host" to run them on the host, with approval',
        );
      }
    },
    close: async () => {
      unplugShell?.();
      await jobs?.close();
    },
  });
  parts.add({
    // Routines: the schedule resumes from the store (missed runs by each routine's policy); answers
    // go to the channels' chats; job routines run through the sandbox jobs.
    name: 'routines',
    needs: ['channels', 'jobs'],
    start: async () => {
      if (!storeHas('routines')) return;
      const { jobsHereOrOnPeers, RoutineService, routineJobs } = await import('../agent/services.ts');
      const { routineDelivery } = await import('../gateway/channels/routine-delivery.ts');
      routines = await RoutineService.start({
        kernel,
        agent: session.agent,
        ownerId: os.userInfo().username,
        delivery: routineDelivery(kernel, channels),
        // Without a Docker engine here, a job routine runs on a mesh peer that advertises jobs.
        jobs: jobsHereOrOnPeers(jobs ? routineJobs(jobs) : undefined, mesh?.jobRuns),
      });
      session.agent.tools.addSource(routines.tool());
      const scheduled = routines.list().filter((r) => r.enabled && r.nextRunAt !== null);
      if (scheduled.length) say(`routines: ${scheduled.length} scheduled (npx titan routine list)`);
    },
    close: async () => {
      await routines?.close();
    },
  });
  parts.add({
    // The gateway takes the parts started after ready and lets the requests waiting for them in. Closing,
    // it stops taking requests first, before the parts they would reach close.
    name: 'serving',
    needs: ['providers', 'agent tools', 'reflexes', 'memory', 'code-graph', 'channels', 'jobs', 'routines'],
    start: async () => {
      kernel.store.yielding = false;
      lateParts.resolve({ channels, jobs, routines });
      await gateway.deps.opening;
    },
    close: () => gateway.close(),
  });

  await parts.start().catch((error: unknown) => {
    lateParts.reject(error);
    throw error;
  });
  const node = nodeStart();
  say(describeTimings(started, parts.timings, runningBundle(), node?.ms));
  say(describeCpu(loadedCpu, parts.timings, node?.cpuMs));
  // The next start loads the bundle: rebuilt now, at low priority, when sources changed since it was built.
  rebuildInBackground();
  // A busy server's JS heap peaks are given back to the system (heap-pages.ts).
  const unwatchHeap = new HeapPages().watch();
  const reconciled = jobs?.reconcile().catch((error: unknown) => say(`jobs: reconciling the jobs left by the last run failed: ${String(error)}`));
  try {
    if (!builtinsChecked) await checkBuiltins(kernel, say).catch((error: unknown) => say(`checking the built-ins failed: ${String(error)}`));
    if (session.repl)
      session.repl.start(); // its banner lists the commands
    else say('Ctrl-C stops.');

    const signal = await Promise.race([stopped, session.repl?.closed.then(() => 'quit' as const) ?? new Promise<never>(() => {})]);
    say(`\n${signal}: stopping (calls in flight finish first)`);
  } finally {
    unwatchHeap();
    await reconciled;
    await parts.close();
  }
  return 0;
}
