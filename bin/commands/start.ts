// `titan start`: runs Titan until a signal or /quit (bin/start.ts, loaded only for this verb).
import type { Command } from 'commander';
import { act, examples } from '../cli.ts';

export function register(program: Command): void {
  const cmd = program
    .command('start')
    .description('run Titan: the kernel, its components (built-ins built on first start), the agent, channels, mesh and gateway');
  examples(cmd, ['titan start', 'TITAN_PORT=8080 titan start', 'TITAN_HOME=/srv/titan titan start']);
  act(cmd, async () => (await import('../start.ts')).startCommand());
}
