// `titan kernel patches|proposals|optimise|show|propose|verify|approve|reject|deploy|rollback`: through the running
// kernel when there is one (it owns the slots), otherwise on a kernel opened for this command alone.
import { TitanError } from '../../common/errors.ts';
import type { Equivalence, Patch, Proposal, SwapResult } from '../../kernel/api.ts';
import { type Command, Option } from 'commander';
import { act, examples, type Args } from '../cli.ts';
import { print, table } from '../output.ts';
import { withClient } from '../client.ts';
import { describePatch, showPatch, showProposal } from '../patch-text.ts';

const STATES = ['proposed', 'approved', 'rejected', 'deployed', 'failed', 'rolled_back'];

const row = (p: Patch) => {
  const last = p.history.at(-1);
  return {
    id: p.id.slice(0, 8),
    slot: p.slot,
    change: `${p.fromVersion ?? '(none)'} -> ${p.toVersion}`,
    state: p.state,
    verified: verified(p),
    canary: p.canary ? `${p.canary.stage} ${p.canary.errors}/${p.canary.calls}` : '',
    by: last?.by,
    why: last?.why,
    at: last?.at,
    error: p.error,
  };
};

const verified = (p: Patch) => {
  const v = p.verification;
  if (!v) return '';
  return `${v.passed ? 'ok' : 'FAILED'} ${v.matched}/${v.replayed}${p.override ? ' (overridden)' : ''}`;
};

/** "version=ignore,items=unordered,score=approx:0.01" */
function parseEquivalences(text: string | undefined): Equivalence[] | undefined {
  if (!text) return undefined;
  return text.split(',').map((part) => {
    const match = /^([^=]*)=(ignore|unordered|approx)(?::([\d.]+))?$/.exec(part.trim());
    if (!match) throw new TitanError('TITAN_E_USAGE', `--equivalent takes path=ignore|unordered|approx[:tolerance], comma-separated; got "${part}"`);
    return { path: match[1], rule: match[2] as Equivalence['rule'], ...(match[3] ? { tolerance: Number(match[3]) } : {}) };
  });
}

export async function kernelCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, target] = positionals;
  const actor = { by: values.by as string | undefined, why: values.why as string | undefined };
  const need = (what: string) => {
    if (!target) throw new TitanError('TITAN_E_USAGE', `titan kernel ${verb} ${what}`);
    return target;
  };
  // Reading the queue needs only the store (which holds it); a patch's decisions may swap slots.
  const ask = <T>(method: 'GET' | 'POST', route: string, body?: unknown) =>
    withClient((client) => client.request<T>(method, route, body), { storeOnly: verb === 'patches', fromStoreFile: verb === 'patches' });

  switch (verb) {
    case 'patches': {
      const state = values.state as string | undefined;
      if (state && !STATES.includes(state)) throw new TitanError('TITAN_E_USAGE', `--state must be one of ${STATES.join(', ')}`);
      const { patches } = await ask<{ patches: Patch[] }>('GET', `/api/patches${state ? `?state=${state}` : ''}`);
      print(out, patches, () => table(patches.map(row), ['id', 'slot', 'change', 'state', 'verified', 'canary', 'by', 'why', 'at', 'error']));
      return 0;
    }
    case 'proposals':
    case 'optimise': {
      const { proposals } =
        verb === 'optimise'
          ? await ask<{ proposals: Proposal[] }>('POST', '/api/proposals/run')
          : await ask<{ proposals: Proposal[] }>('GET', '/api/proposals');
      print(out, proposals, () => (proposals.length ? proposals.map(showProposal).join('\n') : '(no proposals from the monitor yet)'));
      return 0;
    }
    case 'show': {
      const patch = await ask<Patch>('GET', `/api/patches/${encodeURIComponent(need('PATCH_ID'))}`);
      print(out, patch, () => showPatch(patch));
      return 0;
    }
    case 'propose': {
      const ref = need('[kind/]name[@range]');
      const equivalences = parseEquivalences(values.equivalent as string | undefined);
      const patch = await ask<Patch>('POST', '/api/patches', { ref, ...actor, ...(equivalences ? { equivalences } : {}) });
      print(out, patch, () => `proposed ${showPatch(patch)}`);
      return 0;
    }
    case 'verify': {
      const patch = await ask<Patch>('POST', `/api/patches/${encodeURIComponent(need('PATCH_ID'))}/verify`);
      print(out, patch, () => showPatch(patch));
      return 0;
    }
    case 'approve': {
      const override = values.override as string | undefined;
      const patch = await ask<Patch>('POST', `/api/patches/${encodeURIComponent(need('PATCH_ID'))}/approve`, { ...actor, ...(override ? { override } : {}) });
      print(out, patch, () => describePatch(patch));
      return 0;
    }
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
      throw new TitanError(
        'TITAN_E_USAGE',
        `unknown kernel verb "${verb ?? ''}" (patches, proposals, optimise, show, propose, verify, approve, reject, deploy, rollback)`,
      );
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
    act(
      actor(
        kernel
          .command('propose')
          .description("propose a version for its slot; the slot's recorded calls replay on the old and the new version")
          .argument('<ref>', '[kind/]name[@range]')
          .option('--equivalent <rules>', 'where outputs may differ: path=ignore|unordered|approx[:tolerance], comma-separated'),
      ),
      kernelCommand,
      ['propose'],
    ),
    ['titan kernel propose echo@^2 --why "faster"', 'titan kernel propose fib@1.1.0 --equivalent "took=ignore,score=approx:0.001"'],
  );
  examples(act(kernel.command('proposals').description('what the monitor proposed from telemetry, and why'), kernelCommand, ['proposals']), [
    'titan kernel proposals',
    'titan kernel proposals --json',
  ]);
  examples(
    act(kernel.command('optimise').description('let the monitor look at every slot now (it proposes; only policy or you deploy)'), kernelCommand, ['optimise']),
    ['titan kernel optimise'],
  );
  examples(
    act(kernel.command('show').description('a patch with its verification, canary and history').argument('<id>', 'the patch id'), kernelCommand, ['show']),
    ['titan kernel show 1a2b3c4d'],
  );
  examples(act(kernel.command('verify').description('replay the recorded calls again').argument('<id>', 'the patch id'), kernelCommand, ['verify']), [
    'titan kernel verify 1a2b3c4d',
  ]);
  examples(
    act(
      actor(
        kernel
          .command('approve')
          .description('approve a proposed patch')
          .argument('<id>', 'the patch id (or a unique prefix)')
          .option('--override <reason>', 'approve a patch that failed verification, for this reason (kept on the patch)'),
      ),
      kernelCommand,
      ['approve'],
    ),
    ['titan kernel approve 1a2b3c4d', 'titan kernel approve 1a2b3c4d --override "the new rounding is intended"'],
  );
  for (const [verb, what] of [
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
