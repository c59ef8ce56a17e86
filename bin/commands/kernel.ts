// `titan kernel patches|show|propose|verify|approve|reject|deploy|rollback`: through the running
// kernel when there is one (it owns the slots), otherwise on a kernel opened for this command alone.
import { TitanError } from '../../common/errors.ts';
import type { Equivalence, Patch, SwapResult } from '../../kernel/api.ts';
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

/** The whole of a patch as a person reads it: its change, verification, canary and history. */
function showPatch(p: Patch): string {
  const lines = [describePatch(p)];
  const v = p.verification;
  if (v) {
    lines.push(`verification: ${v.passed ? 'passed' : 'FAILED'}, ${v.matched} of ${v.replayed} replayed calls matched, in ${v.ms} ms`);
    if (v.replayed) lines.push(`  p50 ${v.old.p50} ms -> ${v.new.p50} ms, p99 ${v.old.p99} ms -> ${v.new.p99} ms (old -> new)`);
    if (v.note) lines.push(`  ${v.note}`);
    for (const reason of v.reasons) lines.push(`  refused: ${reason}`);
    for (const m of v.mismatches) lines.push(`  call ${m.call} ${m.fn}(${m.input}): ${m.diff}`);
  }
  if (p.override) lines.push(`approved over a failed verification: ${p.override}`);
  if (p.equivalences?.length) lines.push(`equivalences: ${p.equivalences.map((e) => `${e.path || '(whole)'}=${e.rule}`).join(', ')}`);
  const c = p.canary;
  if (c) {
    lines.push(`canary: ${c.stage}, ${c.calls} calls (${Math.round(c.share * 100)}% at first), ${c.errors} failed, p50 ${c.p50} ms, p99 ${c.p99} ms`);
    lines.push(`  old version: ${c.baseline.calls} calls, ${c.baseline.errors} failed, p99 ${c.baseline.p99} ms`);
    if (c.reason) lines.push(`  rolled back: ${c.reason}`);
  }
  for (const step of p.history) lines.push(`${step.at} ${step.state} by ${step.by}: ${step.why}`);
  return lines.join('\n');
}

/** "version=ignore,items=unordered,score=approx:0.01" */
function parseEquivalences(text: string | undefined): Equivalence[] | undefined {
  if (!text) return undefined;
  return text.split(',').map((part) => {
    const match = /^([^=]*)=(ignore|unordered|approx)(?::([\d.]+))?$/.exec(part.trim());
    if (!match) throw new TitanError('TITAN_E_USAGE', `--equivalent takes path=ignore|unordered|approx[:tolerance], comma-separated; got "${part}"`);
    return { path: match[1], rule: match[2] as Equivalence['rule'], ...(match[3] ? { tolerance: Number(match[3]) } : {}) };
  });
}

const describePatch = (p: Patch) => `${p.id.slice(0, 8)} ${p.slot} ${p.fromVersion ?? '(none)'} -> ${p.toVersion}: ${p.state}${p.error ? ` (${p.error})` : ''}`;

export async function kernelCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, target] = positionals;
  const actor = { by: values.by as string | undefined, why: values.why as string | undefined };
  const need = (what: string) => {
    if (!target) throw new TitanError('TITAN_E_USAGE', `titan kernel ${verb} ${what}`);
    return target;
  };
  // Reading the queue needs only the store (which holds it); a patch's decisions may swap slots.
  const ask = <T>(method: 'GET' | 'POST', route: string, body?: unknown) =>
    withClient((client) => client.request<T>(method, route, body), { storeOnly: verb === 'patches' });

  switch (verb) {
    case 'patches': {
      const state = values.state as string | undefined;
      if (state && !STATES.includes(state)) throw new TitanError('TITAN_E_USAGE', `--state must be one of ${STATES.join(', ')}`);
      const { patches } = await ask<{ patches: Patch[] }>('GET', `/api/patches${state ? `?state=${state}` : ''}`);
      print(out, patches, () => table(patches.map(row), ['id', 'slot', 'change', 'state', 'verified', 'canary', 'by', 'why', 'at', 'error']));
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
      throw new TitanError('TITAN_E_USAGE', `unknown kernel verb "${verb ?? ''}" (patches, show, propose, verify, approve, reject, deploy, rollback)`);
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
