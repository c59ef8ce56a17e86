// `titan start` (what `npm start` runs): open the kernel on $TITAN_HOME, build and deploy the
// built-ins (from cache after the first start), serve the control socket, start the agent (and
// the REPL on a terminal) and the gateway (HTTP API on TITAN_HOST:TITAN_PORT), run until a signal or /quit.
import { rm } from 'node:fs/promises';
import { Kernel, bootstrapBuiltins, builtinsServing, startControlServer } from '../../kernel/api.ts';
import { consoleProgress } from '../../toolchain/progress.ts';
import type { Args } from '../main.ts';
import { startAgent } from '../agent-session.ts';
import { showMigrations } from '../migration-progress.ts';
import { startGateway } from '../../gateway/server.ts';
import { startChannelRuntime } from '../../gateway/channels/start.ts';
import { pairingControlRoutes } from '../../agent/pairing.ts';
import { reflexControlRoutes, startReflexes } from '../../agent/api.ts';
import type { Mesh } from '../../mesh/mesh.ts';

/** Builds (from cache) and publishes the built-ins, deploys those with no serving version, proposes newer ones. */
async function checkBuiltins(kernel: Kernel, say: (line: string) => void) {
  const report = await bootstrapBuiltins(kernel, { progress: consoleProgress(process.stdout) });
  if (report.published.length) say(`published to the registry: ${report.published.join(', ')}`);
  for (const patch of report.proposed) say(`newer version proposed as a patch: ${patch} (npx titan kernel patches)`);
  for (const failure of report.failed) say(`not serving ${failure.slot}: ${failure.error}`);
  kernel.startUpdateWatcher();
  return report;
}

/** The store schema version whose operations each feature uses. */
const FEATURE_SCHEMA = { channels: 5, reflexes: 6 } as const;

/**
 * Which features the serving store has the operations for. After an update, the newer built-in
 * store waits in the patch queue for the owner's approval; until then the features it brings stay
 * off (said once, with what to do) and everything else serves as before.
 */
async function storeFeatures(kernel: Kernel, say: (line: string) => void): Promise<(feature: keyof typeof FEATURE_SCHEMA) => boolean> {
  const latest = (await kernel.store.status()).latest;
  const version = kernel.components().find((c) => c.slot === `store/${kernel.config.store}`)?.version;
  for (const [feature, schema] of Object.entries(FEATURE_SCHEMA)) {
    if (latest < schema) say(`${feature} are off: the serving store/${kernel.config.store}@${version} predates them; approve its newer version (npx titan kernel patches), then restart`);
  }
  return (feature) => latest >= FEATURE_SCHEMA[feature];
}

export async function startCommand(_args: Args): Promise<number> {
  const started = performance.now();
  const kernel = await Kernel.open();
  try {
    return await serve(kernel, started);
  } finally {
    await kernel.close();
  }
}

async function serve(kernel: Kernel, started: number): Promise<number> {
  const say = (line: string) => process.stdout.write(line + '\n');
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // Before any work: a second kernel on the same home would fight the first over its state.
  const server = kernel.config.controlSocket ? await startControlServer(kernel) : undefined;
  server?.addRoutes(pairingControlRoutes());
  try {
    say(`Titan kernel on Node ${process.versions.node}, home ${kernel.paths.home}`);
    for (const warning of kernel.warnings) say(`warning: ${warning}`);

    showMigrations(kernel, say);
    // Ready means the store migrated and the serving components loaded: a start restores those
    // first. Checking the built-ins for new versions (a build on the first start) comes before
    // readiness only when one of them has no serving version yet.
    await kernel.restoreDeployments(); // what fails here is retried and reported by checkBuiltins
    const builtins = (await builtinsServing(kernel)) ? undefined : await checkBuiltins(kernel, say);
    const serving = kernel.components().filter((c) => c.version).map((c) => `${c.slot}@${c.version}`);
    say(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s: ${serving.length} components serving (${serving.join(', ')})`);
    say(`try: npx titan registry list | npx titan components | npx titan call echo '{"text":"hello"}'`);
    let mesh: Mesh | undefined;
    if (kernel.config.meshEnabled) {
      // libp2p loads only when the mesh is on.
      const [{ Mesh }, { meshControlRoutes }] = await Promise.all([import('../../mesh/mesh.ts'), import('../../mesh/control-routes.ts')]);
      mesh = await Mesh.start(kernel); // plugs into the kernel's ports; stopped with the kernel
      server?.addRoutes(meshControlRoutes(mesh));
      say(`mesh: peer id ${mesh.id} on ${mesh.node.getMultiaddrs().join(' ')} (npx titan mesh status)`);
    }
    const session = await startAgent(kernel, say, process.stdin.isTTY === true);
    const storeHas = await storeFeatures(kernel, say);
    // Reflexes and shadow workers: mining, compiling and predicting run in the background.
    const reflexes = storeHas('reflexes') ? await startReflexes(kernel, session.agent, session.llm, mesh?.agentPorts) : undefined;
    if (reflexes) server?.addRoutes(reflexControlRoutes(reflexes));
    const channels = !storeHas('channels') ? undefined : await startChannelRuntime(kernel, session.agent, say).catch(async (error: unknown) => {
      await session.close();
      throw error;
    });
    const gateway = await startGateway({ kernel, agent: session.agent, llm: session.llm, say, channels, mesh }).catch(async (error: unknown) => {
      await channels?.close();
      await session.close();
      throw error;
    });
    await kernel.warmRestored();
    if (!builtins) await checkBuiltins(kernel, say).catch((error: unknown) => say(`checking the built-ins failed: ${String(error)}`));
    if (session.repl) session.repl.start(); // its banner lists the commands
    else say('Ctrl-C stops.');

    const signal = await Promise.race([stopped, session.repl?.closed.then(() => 'quit' as const) ?? new Promise<never>(() => {})]);
    say(`\n${signal}: stopping (calls in flight finish first)`);
    await channels?.close();
    await gateway.close();
    await reflexes?.close();
    await session.close();
    await kernel.close();
    return 0;
  } finally {
    if (server) {
      server.close();
      await rm(kernel.paths.controlSocket, { force: true });
    }
  }
}
