// The /kernel commands of the REPL (`titan start`) and of `titan chat`: list the patch queue, show
// a patch with its verification, approve one (after asking: approving deploys it, and it serves a
// canary share first; a failed verification needs the reason as an override), reject, roll back,
// and the monitor's proposals. The REPL works on its kernel, the chat over the control socket.
import { TitanError } from '../common/errors.ts';
import type { Kernel, Patch, Proposal, SwapResult } from '../kernel/api.ts';
import { describePatch, showPatch, showProposal } from './patch-text.ts';

export const KERNEL_HELP =
  '/kernel (the patch queue), /kernel show ID, /kernel approve ID [override reason] (asks, then deploys), /kernel reject ID, /kernel rollback ID|kind/name, /kernel proposals';

/** The patch queue as a command reaches it. */
export type PatchDesk = {
  patches(): Promise<Patch[]>;
  patch(id: string): Promise<Patch>;
  proposals(): Promise<Proposal[]>;
  approve(id: string, override?: string): Promise<Patch>;
  deploy(id: string): Promise<Patch>;
  reject(id: string): Promise<Patch>;
  rollback(target: string): Promise<string>;
};

export function localDesk(kernel: Kernel, by: string): PatchDesk {
  const actor = (why: string) => ({ by, why });
  return {
    patches: async () => kernel.patches.list(),
    patch: async (id) => kernel.patches.get(id),
    proposals: async () => kernel.optimiser.list(),
    approve: (id, override) => kernel.approvePatch(id, actor('approved in the REPL'), override),
    deploy: (id) => kernel.deployPatch(id, actor('deployed in the REPL')),
    reject: (id) => kernel.rejectPatch(id, actor('rejected in the REPL')),
    async rollback(target) {
      if (!target.includes('/')) return describePatch(await kernel.rollbackPatch(target, actor('rolled back in the REPL')));
      const [kind, name] = target.split('/');
      return rolledBack(await kernel.rollback(kind, name));
    },
  };
}

type Request = <T>(method: 'GET' | 'POST', route: string, body?: unknown) => Promise<T>;

export function remoteDesk(request: Request): PatchDesk {
  const step = (id: string, verb: string, body: Record<string, unknown> = {}) =>
    request<Patch>('POST', `/api/patches/${encodeURIComponent(id)}/${verb}`, { why: `${verb} in titan chat`, ...body });
  return {
    patches: async () => (await request<{ patches: Patch[] }>('GET', '/api/patches')).patches,
    patch: (id) => request<Patch>('GET', `/api/patches/${encodeURIComponent(id)}`),
    proposals: async () => (await request<{ proposals: Proposal[] }>('GET', '/api/proposals')).proposals,
    approve: (id, override) => step(id, 'approve', override ? { override } : {}),
    deploy: (id) => step(id, 'deploy'),
    reject: (id) => step(id, 'reject'),
    async rollback(target) {
      if (!target.includes('/')) return describePatch(await step(target, 'rollback'));
      const [kind, name] = target.split('/');
      return rolledBack(await request<SwapResult>('POST', `/api/slots/${encodeURIComponent(kind)}/${encodeURIComponent(name)}/rollback`));
    },
  };
}

const rolledBack = (r: SwapResult) => `${r.slot} rolled back to ${r.version} (was ${r.previous})`;

/** Runs "/kernel ARGS"; `confirm` asks the person a yes/no question. Answers the text to show. */
export async function kernelCommand(args: string, desk: PatchDesk, confirm: (question: string) => Promise<boolean>): Promise<string> {
  const [verb = '', target, ...rest] = args.trim().split(/\s+/).filter(Boolean);
  const need = () => {
    if (!target) throw new TitanError('TITAN_E_USAGE', `/kernel ${verb} needs a patch id. ${KERNEL_HELP}`);
    return target;
  };
  switch (verb) {
    case '':
    case 'list': {
      const patches = await desk.patches();
      return patches.length ? patches.map(describePatch).join('\n') : '(no patches)';
    }
    case 'show':
      return showPatch(await desk.patch(need()));
    case 'proposals': {
      const proposals = await desk.proposals();
      return proposals.length ? proposals.map(showProposal).join('\n') : '(no proposals from the monitor yet)';
    }
    case 'approve': {
      const patch = await desk.patch(need());
      const override = rest.join(' ').trim() || undefined;
      const failed = patch.verification && !patch.verification.passed;
      if (failed && !override) return `${showPatch(patch)}\nit failed verification: approve it only with a reason, /kernel approve ${target} <why>`;
      const question = `${describePatch(patch)}\n${failed ? `approve over its failed verification (${override}) and deploy` : 'approve and deploy'} it? [y/n]`;
      if (!(await confirm(question))) return 'left as it was';
      const approved = patch.state === 'approved' ? patch : await desk.approve(patch.id, override);
      return describePatch(await desk.deploy(approved.id));
    }
    case 'reject':
      return describePatch(await desk.reject(need()));
    case 'rollback':
      return desk.rollback(need());
    default:
      return `unknown /kernel command "${verb}". ${KERNEL_HELP}`;
  }
}
