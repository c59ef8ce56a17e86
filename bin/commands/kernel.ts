// `titan kernel patches|propose|approve|reject|deploy|rollback`: through the running kernel when
// there is one (it owns the slots), otherwise on a kernel opened for this command alone.
import { TitanError } from '../../common/errors.ts';
import type { Patch, SwapResult } from '../../kernel/api.ts';
import { type Command, Option } from 'commander';
import { act, examples, type Args } from '../cli.ts';
import { print, table } from '../output.ts';
import { withClient } from '../client.ts';

const STATES = ['proposed', 'approved', 'rejected', 'deployed', 'failed', 'rolled_back'];

const row = (p: Patch) => {
  const last = p.history.at(-1);
  return {
    id: p.id.slice(0, 8),
    slot: p.slot,
    change: `${p.fromVersion ?? '(none)'} -> ${p.toVersion}`,
    state: p.state,
    by: last?.by,
    why: last?.why,
    at: last?.at,
    error: p.error,
  };
};

const describePatch = (p: Patch) => `${p.id.slice(0, 8)} ${p.slot} ${p.fromVersion ?? '(none)'} -> ${p.toVersion}: ${p.state}${p.error ? ` (${p.error})` : ''}`;

export async function kernelCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, target] = positionals;
  const actor = { by: values.by as string | undefined, why: values.why as string | undefined };
  const need = (what: string) => {
    if (!target) throw new TitanError('TITAN_E_USAGE', `titan kernel ${verb} ${what}`);
    return target;
  };
  const ask = <T>(method: 'GET' | 'POST', route: string, body?: unknown) => withClient((client) => client.request<T>(method, route, body));

  switch (verb) {
    case 'patches': {
      const state = values.state as string | undefined;
      if (state && !STATES.includes(state)) throw new TitanError('TITAN_E_USAGE', `--state must be one of ${STATES.join(', ')}`);
      const { patches } = await ask<{ patches: Patch[] }>('GET', `/api/patches${state ? `?state=${state}` : ''}`);
      print(out, patches, () => table(patches.map(row), ['id', 'slot', 'change', 'state', 'by', 'why', 'at', 'error']));
      return 0;
    }
    case 'propose': {
      const ref = need('[kind/]name[@range]');
      const patch = await ask<Patch>('POST', '/api/patches', { ref, ...actor });
      print(out, patch, () => `proposed ${describePatch(patch)}`);
      return 0;
    }
    case 'approve':
    case 'reject':
    case 'deploy': {
      const id = need('PATCH_ID');
      const patch = await ask<Patch>('POST', `/api/patches/${encodeURIComponent(id)}/${verb}`, actor);
      print(out, patch, () => describePatch(patch));
      return 0;
    }
    case 'rollback': {
      const what = need('PATCH_ID | kind/name');
      if (what.includes('/')) {
        const [kind, name] = what.split('/');
        const result = await ask<SwapResult>('POST', `/api/slots/${encodeURIComponent(kind)}/${encodeURIComponent(name)}/rollback`);
        print(out, result, () => `${result.slot} rolled back to ${result.version} (was ${result.previous}) in ${result.ms.toFixed(1)} ms`);
        return 0;
      }
      const patch = await ask<Patch>('POST', `/api/patches/${encodeURIComponent(what)}/rollback`, actor);
      print(out, patch, () => describePatch(patch));
      return 0;
    }
    default:
      throw new TitanError('TITAN_E_USAGE', `unknown kernel verb "${verb ?? ''}" (patches, propose, approve, reject, deploy, rollback)`);
  }
}

export function register(program: Command): void {
  const kernel = program.command('kernel').description('the patch queue: propose, approve, deploy and roll back component versions');
  const actor = (cmd: Command) => cmd.option('--why <text>', 'the reason, kept in the patch history').option('--by <name>', 'who decided (default: the owner)');
  examples(
    act(
      kernel.command('patches').description('the patch queue').addOption(new Option('--state <state>', 'only patches in this state').choices(STATES)),
      kernelCommand,
      ['patches'],
    ),
    ['titan kernel patches', 'titan kernel patches --state proposed --json'],
  );
  examples(
    act(actor(kernel.command('propose').description('propose a version for its slot').argument('<ref>', '[kind/]name[@range]')), kernelCommand, ['propose']),
    ['titan kernel propose echo@^2 --why "faster"'],
  );
  for (const [verb, what] of [
    ['approve', 'approve a proposed patch'],
    ['reject', 'reject a proposed patch'],
    ['deploy', 'deploy an approved patch (swaps the slot)'],
  ]) {
    examples(act(actor(kernel.command(verb).description(what).argument('<id>', 'the patch id (or a unique prefix)')), kernelCommand, [verb]), [
      `titan kernel ${verb} 1a2b3c4d`,
    ]);
  }
  examples(
    act(
      actor(kernel.command('rollback').description("undo a patch, or put a slot's previous version back").argument('<target>', 'a patch id, or kind/name')),
      kernelCommand,
      ['rollback'],
    ),
    ['titan kernel rollback 1a2b3c4d', 'titan kernel rollback tool/echo'],
  );
}
