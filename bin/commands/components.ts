// `titan components`: every slot, the version serving in it, and its instances.
import type { ComponentStatus } from '../../kernel/api.ts';
import type { Args } from '../main.ts';
import { print, table } from '../output.ts';
import { runningKernel, withOfflineKernel } from '../session.ts';

export async function componentsCommand({ out }: Args): Promise<number> {
  const client = await runningKernel();
  const components = client
    ? await client.request<ComponentStatus[]>('GET', '/components')
    : await withOfflineKernel(async (k) => k.components());
  const rows = components.map((c) => ({
    slot: c.slot,
    version: c.version,
    isolation: c.isolation,
    instances: client ? (c.instances ? `${c.instances.busy} busy / ${c.instances.live} live (max ${c.instances.max || '-'})` : '-') : 'kernel not running',
    swaps: c.swaps,
    previous: c.previous.join(', '),
    digest: c.digest?.slice(0, 19),
  }));
  print(out, { running: client !== null, components }, () => table(rows, ['slot', 'version', 'isolation', 'instances', 'swaps', 'previous', 'digest']));
  return 0;
}
