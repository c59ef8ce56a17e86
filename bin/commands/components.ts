// `titan components`: every slot, the version serving in it, and its instances.
import type { ComponentStatus } from '../../kernel/api.ts';
import type { Command } from 'commander';
import { act, examples, type Args } from '../cli.ts';
import { print, table } from '../output.ts';
import { withClient } from '../client.ts';

export async function componentsCommand({ out }: Args): Promise<number> {
  const { running, components } = await withClient(async (client) => ({
    running: client.running,
    components: (await client.request<{ components: ComponentStatus[] }>('GET', '/api/components')).components,
  }));
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
