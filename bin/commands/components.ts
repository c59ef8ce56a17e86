// `titan components`: every slot, the version serving in it, and its instances; `titan components
// regrant SLOT`: the owner's word that a component whose inline grant the kernel withdrew runs inline again.
import type { ComponentStatus, Withdrawal } from '../../kernel/api.ts';
import { TitanError } from '../../common/errors.ts';
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
    isolation: c.withdrawn ? `${c.isolation} (grant withdrawn)` : c.isolation,
    instances: running ? (c.instances ? `${c.instances.busy} busy / ${c.instances.live} live (max ${c.instances.max || '-'})` : '-') : 'kernel not running',
    swaps: c.swaps,
    previous: c.previous.join(', '),
    digest: c.digest?.slice(0, 19),
  }));
  const withdrawn = components.flatMap((c) => (c.withdrawn ? [c.withdrawn] : []));
  const notes = withdrawn.map((w) => `${w.slot}: inline grant "${w.grant}" withdrawn ${w.at}: ${w.reason} (titan components regrant ${w.slot})`);
  print(out, { running, components }, () => [table(rows, ['slot', 'version', 'isolation', 'instances', 'swaps', 'previous', 'digest']), ...notes].join('\n'));
  return 0;
}

/** Lifts the kernel's withdrawal: through the running kernel (it moves the slot back inline), else in the home's file for the next start. */
export async function regrantCommand({ positionals, out }: Args): Promise<number> {
  const match = /^([a-z]+)\/([a-z][a-z0-9-]{0,62})$/.exec(positionals[0] ?? '');
  if (!match) throw new TitanError('TITAN_E_USAGE', 'titan components regrant KIND/NAME (e.g. tool/web-search)');
  const [, kind, name] = match;
  const client = await runningClient();
  let lifted: Withdrawal[];
  if (client) lifted = (await client.request<{ lifted: Withdrawal[] }>('POST', `/api/slots/${kind}/${name}/regrant`)).lifted;
  else {
    const { titanHome } = await import('../../common/home.ts');
    const { GrantWithdrawals, withdrawalsFile } = await import('../../kernel/grant-withdrawals.ts');
    lifted = await (await GrantWithdrawals.open(withdrawalsFile(titanHome()))).regrant(`${kind}/${name}`);
    if (!lifted.length)
      throw new TitanError('TITAN_E_NOT_FOUND', `${kind}/${name} has no withdrawn inline grant`, { fix: 'titan components lists where each runs' });
  }
  print(out, { lifted }, () => lifted.map((w) => `${w.slot}: inline grant "${w.grant}" restored (kernel.inlineGrants still decides)`).join('\n'));
  return 0;
}

export function register(program: Command): void {
  const cmd = program.command('components').description('every slot, the version serving in it, and its instances');
  examples(cmd, ['titan components', 'titan components --json']);
  act(cmd, componentsCommand);
  const regrant = cmd
    .command('regrant')
    .description("run a component inline again after the kernel withdrew its grant for holding the kernel's thread too often")
    .argument('<slot>', 'kind/name, e.g. tool/web-search');
  examples(act(regrant, regrantCommand), ['titan components regrant tool/web-search']);
}
