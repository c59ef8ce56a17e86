// The agent's hands on the patch queue. `kernel-patch` reads it and adds to it: list the patches,
// show one with its verification report, propose a registry version for a slot (verified on the
// slot's recorded calls), list the monitor's proposals or ask it to look now. `kernel-patch-decide`
// approves, deploys, rejects or rolls back, and needs the owner's approval for every call (the
// approval flow of the turn): the model can prepare a change, never make one on its own. `generate`
// has the model write a new channel or provider from a description: built, published through its
// smoke test and proposed as a verified patch, which is then decided like any other.
import { TitanError } from '../../common/errors.ts';
import { generateComponent, kindedRef, type Kernel, type Patch, type Proposal, type SourceModel } from '../../kernel/api.ts';
import type { ToolInfo, ToolSource } from '../loop/tool-catalog.ts';

export const KERNEL_PATCH_TOOL = 'kernel-patch';
export const KERNEL_PATCH_DECIDE_TOOL = 'kernel-patch-decide';

const READ_DESCRIPTION = [
  "Titan's own component patches: `list` the patch queue (optionally by `state`), `show` one (`id`) with its verification",
  'report (recorded calls replayed on the old and new version: mismatches, p50/p99), `propose` a published version for its',
  'slot (`ref` like "tool/fib@1.2.0"; it is verified at once), `proposals` made by the monitor from telemetry and why,',
  'or `optimise` to let the monitor look at every slot now. `generate` writes a new `kind` (channel or provider) called `name`',
  'from a `description` and proposes it. Approving or deploying is kernel-patch-decide (the owner confirms).',
].join(' ');

const DECIDE_DESCRIPTION = [
  'Decide on a kernel patch (`id`): `approve` (a patch that failed verification only with `override`, the reason),',
  '`deploy` an approved one (it serves a canary share first), `reject`, or `rollback` a deployed one. The owner confirms each call.',
].join(' ');

const ID = { type: 'string', minLength: 4, maxLength: 64 };
const WHY = { type: 'string', maxLength: 2000 };

const READ_SCHEMA = {
  type: 'object',
  required: ['op'],
  additionalProperties: false,
  properties: {
    op: { enum: ['list', 'show', 'propose', 'proposals', 'optimise', 'generate'] },
    id: ID,
    kind: { enum: ['channel', 'provider'] },
    name: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' },
    description: { type: 'string', minLength: 10, maxLength: 4000 },
    state: { enum: ['proposed', 'approved', 'rejected', 'deployed', 'failed', 'rolled_back'] },
    ref: { type: 'string', minLength: 1, maxLength: 200 },
    why: WHY,
  },
};

const DECIDE_SCHEMA = {
  type: 'object',
  required: ['op', 'id'],
  additionalProperties: false,
  properties: { op: { enum: ['approve', 'deploy', 'reject', 'rollback'] }, id: ID, why: WHY, override: WHY },
};

type ReadCall = {
  op: 'list' | 'show' | 'propose' | 'proposals' | 'optimise' | 'generate';
  id?: string;
  state?: Patch['state'];
  ref?: string;
  why?: string;
  kind?: 'channel' | 'provider';
  name?: string;
  description?: string;
};

/** A model answer takes minutes at most; a turn never waits on one forever. */
const GENERATE_TIMEOUT_MS = 5 * 60_000;
type DecideCall = { op: 'approve' | 'deploy' | 'reject' | 'rollback'; id: string; why?: string; override?: string };

/** A patch as the model reads it: the change, its state, why it was proposed and its reports in short. */
export function patchSummary(p: Patch) {
  const v = p.verification;
  return {
    id: p.id.slice(0, 8),
    slot: p.slot,
    change: `${p.fromVersion ?? '(none)'} -> ${p.toVersion}`,
    state: p.state,
    proposedBy: p.history[0]?.by,
    reason: p.history[0]?.why,
    verification: v
      ? { passed: v.passed, replayed: v.replayed, matched: v.matched, p50: `${v.old.p50} -> ${v.new.p50} ms`, reasons: v.reasons, note: v.note }
      : undefined,
    canary: p.canary ? { stage: p.canary.stage, calls: p.canary.calls, errors: p.canary.errors, reason: p.canary.reason } : undefined,
    ...(p.error ? { error: p.error } : {}),
  };
}

const proposalSummary = (p: Proposal) => ({
  slot: p.slot,
  strategy: p.strategy,
  change: `${p.fromVersion} -> ${p.toVersion ?? '(not built)'}`,
  state: p.state,
  reason: p.reason,
  patch: p.patchId?.slice(0, 8),
  ...(p.error ? { refused: p.error } : {}),
});

export class KernelPatchTool implements ToolSource {
  readonly #kernel: Kernel;
  readonly #model: SourceModel | undefined;

  /** `model` writes generated components (the agent's own model); without one, `generate` says so. */
  constructor(kernel: Kernel, model?: SourceModel) {
    this.#kernel = kernel;
    this.#model = model;
  }

  tools(): ToolInfo[] {
    return [
      { name: KERNEL_PATCH_TOOL, description: READ_DESCRIPTION, schema: READ_SCHEMA, needsApproval: false, digest: 'host:kernel-patch@1', sideEffects: true },
      {
        name: KERNEL_PATCH_DECIDE_TOOL,
        description: DECIDE_DESCRIPTION,
        schema: DECIDE_SCHEMA,
        needsApproval: true,
        digest: 'host:kernel-patch-decide@1',
        sideEffects: true,
      },
    ];
  }

  owns(name: string): boolean {
    return name === KERNEL_PATCH_TOOL || name === KERNEL_PATCH_DECIDE_TOOL;
  }

  cancel(): void {}

  async invoke(name: string, input: string): Promise<string> {
    const answer = name === KERNEL_PATCH_DECIDE_TOOL ? await this.#decide(JSON.parse(input) as DecideCall) : await this.#read(JSON.parse(input) as ReadCall);
    return JSON.stringify(answer);
  }

  async #read(call: ReadCall): Promise<unknown> {
    const kernel = this.#kernel;
    const actor = { by: 'agent', why: call.why };
    switch (call.op) {
      case 'list':
        return { patches: kernel.patches.list(call.state ? { state: call.state } : {}).map(patchSummary) };
      case 'show': {
        const patch = kernel.patches.get(need(call.id, 'id', 'show'));
        return { ...patchSummary(patch), mismatches: patch.verification?.mismatches ?? [], history: patch.history };
      }
      case 'propose':
        return patchSummary(await kernel.proposePatch(kindedRef(need(call.ref, 'ref', 'propose')), actor));
      case 'proposals':
        return { proposals: kernel.optimiser.list().map(proposalSummary) };
      case 'optimise':
        return { proposals: (await kernel.optimiser.pass()).map(proposalSummary) };
      case 'generate': {
        if (!this.#model) throw new TitanError('TITAN_E_GENERATE_FAILED', 'no model is configured to write the component');
        const request = {
          kind: need(call.kind, 'kind', 'generate') as 'channel' | 'provider',
          name: need(call.name, 'name', 'generate'),
          description: need(call.description, 'description', 'generate'),
        };
        const { manifest, patch } = await generateComponent(kernel, this.#model, request, AbortSignal.timeout(GENERATE_TIMEOUT_MS));
        return { generated: `${manifest.kind}/${manifest.name}@${manifest.version}`, ...patchSummary(patch) };
      }
    }
  }

  async #decide(call: DecideCall): Promise<unknown> {
    const kernel = this.#kernel;
    // The owner approved this very call in the turn's approval flow: the step is recorded as theirs, through the agent.
    const actor = { by: 'agent (approved by the owner)', why: call.why };
    switch (call.op) {
      case 'approve':
        return patchSummary(await kernel.approvePatch(call.id, actor, call.override));
      case 'deploy':
        return patchSummary(await kernel.deployPatch(call.id, actor));
      case 'reject':
        return patchSummary(await kernel.rejectPatch(call.id, actor));
      case 'rollback':
        return patchSummary(await kernel.rollbackPatch(call.id, actor));
    }
  }
}

function need(value: string | undefined, field: string, op: string): string {
  if (!value) throw new TitanError('TITAN_E_TOOL_ARGUMENTS', `kernel-patch ${op} needs "${field}"`);
  return value;
}
