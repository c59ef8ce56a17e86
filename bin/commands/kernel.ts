// `titan kernel patches|propose|approve|reject|deploy|rollback`: through the running kernel when
// there is one (it owns the slots), otherwise on a kernel opened for this command alone.
import { TitanError } from '../../common/errors.ts';
import { kindedRef, type Kernel, type Patch, type SwapResult } from '../../kernel/api.ts';
import type { Args } from '../main.ts';
import { print, table } from '../output.ts';
import { runningKernel, withOfflineKernel } from '../session.ts';

const STATES = ['proposed', 'approved', 'rejected', 'deployed', 'failed', 'rolled_back'];

const row = (p: Patch) => {
  const last = p.history.at(-1);
  return { id: p.id.slice(0, 8), slot: p.slot, change: `${p.fromVersion ?? '(none)'} -> ${p.toVersion}`, state: p.state, by: last?.by, why: last?.why, at: last?.at, error: p.error };
};

const describePatch = (p: Patch) =>
  `${p.id.slice(0, 8)} ${p.slot} ${p.fromVersion ?? '(none)'} -> ${p.toVersion}: ${p.state}${p.error ? ` (${p.error})` : ''}`;

export async function kernelCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, target] = positionals;
  const actor = { by: values.by as string | undefined, why: values.why as string | undefined };
  const client = await runningKernel();
  const offline = <T>(fn: (k: Kernel) => Promise<T>) => withOfflineKernel(fn);
  const need = (what: string) => {
    if (!target) throw new TitanError('TITAN_E_USAGE', `titan kernel ${verb} ${what}`);
    return target;
  };

  switch (verb) {
    case 'patches': {
      const state = values.state as string | undefined;
      if (state && !STATES.includes(state)) throw new TitanError('TITAN_E_USAGE', `--state must be one of ${STATES.join(', ')}`);
      const all = client ? await client.request<Patch[]>('GET', '/patches') : await offline(async (k) => k.patches.list());
      const patches = all.filter((p) => !state || p.state === state);
      print(out, patches, () => table(patches.map(row), ['id', 'slot', 'change', 'state', 'by', 'why', 'at', 'error']));
      return 0;
    }
    case 'propose': {
      const ref = need('[kind/]name[@range]');
      const patch = client
        ? await client.request<Patch>('POST', '/patches', { ref, ...actor })
        : await offline((k) => k.proposePatch(kindedRef(ref), actor));
      print(out, patch, () => `proposed ${describePatch(patch)}`);
      return 0;
    }
    case 'approve':
    case 'reject':
    case 'deploy': {
      const id = need('PATCH_ID');
      const patch = client
        ? await client.request<Patch>('POST', `/patches/${encodeURIComponent(id)}/${verb}`, actor)
        : await offline((k) => (verb === 'approve' ? k.approvePatch(id, actor) : verb === 'reject' ? k.rejectPatch(id, actor) : k.deployPatch(id, actor)));
      print(out, patch, () => describePatch(patch));
      return 0;
    }
    case 'rollback': {
      const what = need('PATCH_ID | kind/name');
      if (what.includes('/')) {
        const [kind, name] = what.split('/');
        const result = client
          ? await client.request<SwapResult>('POST', `/slots/${encodeURIComponent(kind)}/${encodeURIComponent(name)}/rollback`, actor)
          : await offline((k) => k.rollback(kind, name));
        print(out, result, () => `${result.slot} rolled back to ${result.version} (was ${result.previous}) in ${result.ms.toFixed(1)} ms`);
        return 0;
      }
      const patch = client
        ? await client.request<Patch>('POST', `/patches/${encodeURIComponent(what)}/rollback`, actor)
        : await offline((k) => k.rollbackPatch(what, actor));
      print(out, patch, () => describePatch(patch));
      return 0;
    }
    default:
      throw new TitanError('TITAN_E_USAGE', `unknown kernel verb "${verb ?? ''}" (patches, propose, approve, reject, deploy, rollback)`);
  }
}
