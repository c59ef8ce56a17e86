// `titan plan list|show|create|status|executions|verifications|decisions`: a goal's plans, each with
// its steps, and what ran under it: execution attempts, checks with their evidence, policy decisions.
import { Argument, type Command } from 'commander';
import { TitanError } from '../../common/errors.ts';
import type { Execution, Plan, PolicyDecision, Verification } from '../../components/stores/ops.ts';
import { act, examples, type Args } from '../cli.ts';
import { withClient } from '../client.ts';
import { print, table } from '../output.ts';
import { decisionsTable, executionsTable, planText, readSteps, verificationsText, when, type PlanView } from '../goal-views.ts';

const STATUSES = ['draft', 'running', 'succeeded', 'failed', 'superseded', 'cancelled'];

export async function planCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, id, status] = positionals;
  const route = (suffix = '') => `/api/plans/${encodeURIComponent(id)}${suffix}`;
  return withClient(async (api) => {
    switch (verb) {
      case 'list': {
        const { plans } = await api.request<{ plans: Plan[] }>('GET', `/api/goals/${encodeURIComponent(id)}/plans`);
        print(out, plans, () =>
          table(
            plans.map((p) => ({ version: p.version, id: p.id, status: p.status, reason: p.reason, created: when(p.created_at) })),
            ['version', 'id', 'status', 'reason', 'created'],
          ),
        );
        return 0;
      }
      case 'show': {
        const plan = await api.request<PlanView>('GET', route());
        print(out, plan, () => planText(plan));
        return 0;
      }
      case 'create': {
        if (!values.steps) throw new TitanError('TITAN_E_USAGE', 'titan plan create GOAL_ID --steps FILE (a JSON list of steps)');
        const body = { ...(await readSteps(String(values.steps))), ...(values.reason ? { reason: values.reason } : {}) };
        const plan = await api.request<PlanView>('POST', `/api/goals/${encodeURIComponent(id)}/plans`, body);
        print(out, plan, () => `${planText(plan)}\nrun it: titan goal run ${plan.goal_id}`);
        return 0;
      }
      case 'status': {
        if (!STATUSES.includes(status)) throw new TitanError('TITAN_E_USAGE', `titan plan status ID STATUS (one of ${STATUSES.join(', ')})`);
        const plan = await api.request<Plan>('PATCH', route(), { status });
        print(out, plan, () => `plan ${plan.id} ${plan.status}`);
        return 0;
      }
      case 'executions': {
        const { executions } = await api.request<{ executions: Execution[] }>('GET', route('/executions'));
        print(out, executions, () => executionsTable(executions));
        return 0;
      }
      case 'verifications': {
        const { verifications } = await api.request<{ verifications: Verification[] }>('GET', route('/verifications'));
        print(out, verifications, () => verificationsText(verifications));
        return 0;
      }
      case 'decisions': {
        const { decisions } = await api.request<{ decisions: PolicyDecision[] }>('GET', route('/policy-decisions'));
        print(out, decisions, () => decisionsTable(decisions));
        return 0;
      }
      default:
        throw new TitanError('TITAN_E_USAGE', 'titan plan list|show|create|status|executions|verifications|decisions');
    }
  });
}

export function register(program: Command): void {
  const plan = program.command('plan').description("a goal's plans: their steps and what ran under them");
  const withId = (cmd: Command) => cmd.argument('<id>', 'the plan (titan plan list GOAL_ID)');
  examples(act(plan.command('list').description("a goal's plans, oldest first").argument('<goal>', 'the goal'), planCommand, ['list']), [
    'titan plan list 3f2a…',
  ]);
  examples(act(withId(plan.command('show').description('a plan, its check and its steps')), planCommand, ['show']), ['titan plan show 7b9e…']);
  examples(
    act(
      plan
        .command('create')
        .description('a plan for a goal (a later plan is a replan, within its budget)')
        .argument('<goal>', 'the goal')
        .requiredOption('--steps <file>', 'a JSON list of steps, or {"steps": [...], "verify": {...}}')
        .option('--reason <text>', 'why this plan'),
      planCommand,
      ['create'],
    ),
    ['titan plan create 3f2a… --steps steps.json'],
  );
  examples(
    act(
      withId(plan.command('status').description('move a plan (the state table says where it may go)')).addArgument(
        new Argument('<status>', 'the new status').choices(STATUSES),
      ),
      planCommand,
      ['status'],
    ),
    ['titan plan status 7b9e… cancelled'],
  );
  examples(act(withId(plan.command('executions').description('every attempt of every step, and the check')), planCommand, ['executions']), [
    'titan plan executions 7b9e…',
  ]);
  examples(act(withId(plan.command('verifications').description('how the plan was checked, with the evidence')), planCommand, ['verifications']), [
    'titan plan verifications 7b9e…',
  ]);
  examples(act(withId(plan.command('decisions').description('what the approval policy said: allowed, asked, granted, refused')), planCommand, ['decisions']), [
    'titan plan decisions 7b9e…',
  ]);
}
