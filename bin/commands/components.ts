// `titan components`: every slot, the version serving in it, and its instances.
import type { ComponentStatus } from '../../kernel/api.ts';
import type { Command } from 'commander';
import { act, examples, type Args } from '../cli.ts';
import { print, table } from '../output.ts';
import { runningClient } from '../client.ts';

/** Without a kernel, the home's files answer: nothing is opened, compiled or started to read them. */
async function stoppedComponents(): Promise<ComponentStatus[]> {
  const { homePaths, titanHome } = await import('../../common/home.ts');
  const { loadTitanConfig } = await import('../config.ts');
  const { Registry } = await import('../../registry/registry.ts');
  const { offlineComponents } = await import('../../kernel/offline-status.ts');
  const { config } = await loadTitanConfig();
  return offlineComponents(titanHome(), await Registry.open(homePaths(titanHome()).registry), config.kernel);
}

export async function componentsCommand({ out }: Args): Promise<number> {
  const client = await runningClient();
  const running = client !== null;
  const components = client ? (await client.request<{ components: ComponentStatus[] }>('GET', '/api/components')).components : await stoppedComponents();
  const rows = components.map((c) => ({
    slot: c.slot,
    version: c.version,
    isolation: c.isolation,
    instances: running ? (c.instances ? `${c.instances.busy} busy / ${c.instances.live} live (max ${c.instances.max || '-'})` : '-') : 'kernel not running',
    swaps: c.swaps,
    previous: c.previous.join(', '),
    digest: c.digest?.slice(0, 19),
  }));
  print(out, { running, components }, () => table(rows, ['slot', 'version', 'isolation', 'instances', 'swaps', 'previous', 'digest']));
  return 0;
}

export function register(program: Command): void {
  const cmd = program.command('components').description('every slot, the version serving in it, and its instances');
  examples(cmd, ['titan components', 'titan components --json']);
  act(cmd, componentsCommand);
}
