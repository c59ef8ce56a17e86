// `titan start` (what `npm start` runs): open the kernel on $TITAN_HOME, build and deploy the
// built-ins (from cache after the first start), serve the control socket, run until a signal.
import { rm } from 'node:fs/promises';
import { describeError } from '../../common/errors.ts';
import { Kernel, bootstrapBuiltins, startControlServer } from '../../kernel/api.ts';
import { consoleProgress } from '../../toolchain/progress.ts';
import type { Args } from '../main.ts';

export async function startCommand(_args: Args): Promise<number> {
  const started = performance.now();
  const kernel = await Kernel.open();
  const say = (line: string) => process.stdout.write(line + '\n');
  say(`Titan kernel on Node ${process.versions.node}, home ${kernel.paths.home}`);
  for (const warning of kernel.warnings) say(`warning: ${warning}`);

  const report = await bootstrapBuiltins(kernel, { progress: consoleProgress(process.stdout) });
  if (report.published.length) say(`published to the registry: ${report.published.join(', ')}`);
  for (const patch of report.proposed) say(`newer built-in proposed as a patch: ${patch} (npx titan kernel patches)`);
  for (const failure of report.failed) say(`not serving ${failure.slot}: ${failure.error}`);
  kernel.startUpdateWatcher();
  const server = kernel.config.controlSocket ? await startControlServer(kernel) : undefined;

  const serving = kernel.components().filter((c) => c.version).map((c) => `${c.slot}@${c.version}`);
  say(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s: ${serving.length} components serving (${serving.join(', ')})`);
  say(`try: npx titan registry list | npx titan components | npx titan call echo '{"text":"hello"}'`);
  say('No model provider is configured yet: the agent runtime arrives with the next release. Ctrl-C stops.');

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  say(`\n${signal}: stopping (calls in flight finish first)`);
  try {
    server?.close();
    await kernel.close();
    if (server) await rm(kernel.paths.controlSocket, { force: true });
  } catch (error) {
    process.stderr.write(describeError(error) + '\n');
    return 1;
  }
  return 0;
}
