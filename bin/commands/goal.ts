// `titan goal list|create|show|update|cancel|complete|abandon|supersede|replan|run|incidents`: the
// goals the agent pursues (the autonomy control plane), through the running kernel or, when none
// runs, a kernel opened for this command alone; the same routes as the web UI's Goals page.
import { type Command, Option } from 'commander';
import { TitanError } from '../../common/errors.ts';
import type { Goal, Incident } from '../../components/stores/ops.ts';
import { act, examples, type Args } from '../cli.ts';
import { withClient } from '../client.ts';
import { print, table } from '../output.ts';
import { goalsTable, goalText, integer, planText, readSteps, runText, when, type GoalDetail, type PlanView, type RunReport } from '../goal-views.ts';

const STATUSES = ['active', 'paused', 'failed', 'completed', 'cancelled', 'abandoned', 'superseded'];
const LIFECYCLE = ['cancel', 'complete', 'abandon', 'supersede'];

export async function goalCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, id, ...rest] = positionals;
  const route = (suffix = '') => `/api/goals/${encodeURIComponent(id)}${suffix}`;
  return withClient(async (api) => {
    switch (verb) {
      case 'list': {
        const query = new URLSearchParams();
        for (const key of ['status', 'sort', 'order', 'offset', 'limit']) if (values[key] !== undefined) query.set(key, String(values[key]));
        const page = await api.request<{ goals: Goal[]; total: number }>('GET', `/api/goals${query.size ? `?${query}` : ''}`);
        print(out, page, () =>
          page.total
            ? `${goalsTable(page.goals)}\n${page.goals.length} of ${page.total}`
            : 'no goals yet: ask the agent for something that takes several steps, or titan goal create TITLE',
        );
        return 0;
      }
      case 'create': {
        const title = [id, ...rest].join(' ');
        const plan = values.steps ? await readSteps(String(values.steps)) : undefined;
        const body = {
          title,
          description: values.description,
          priority: integer(values, 'priority'),
          replanBudget: integer(values, 'replanBudget', 'replan-budget'),
          ...(plan ?? {}),
        };
        const created = await api.request<{ goal: Goal; plan?: PlanView }>('POST', '/api/goals', JSON.parse(JSON.stringify(body)));
        print(
          out,
          created,
          () => `goal ${created.goal.id} ${created.goal.status}${created.plan ? `\n${planText(created.plan)}\nrun it: titan goal run ${created.goal.id}` : ''}`,
        );
        return 0;
      }
      case 'show': {
        const detail = await api.request<GoalDetail>('GET', route());
        print(out, detail, () => goalText(detail));
        return 0;
      }
      case 'update': {
        const change = JSON.parse(
          JSON.stringify({ status: values.status, priority: integer(values, 'priority'), replanBudget: integer(values, 'replanBudget', 'replan-budget') }),
        ) as Record<string, unknown>;
        if (Object.keys(change).length === 0) throw new TitanError('TITAN_E_USAGE', 'titan goal update ID needs --status, --priority or --replan-budget');
        const goal = await api.request<Goal>('PATCH', route(), change);
        print(out, goal, () => `goal ${goal.id} ${goal.status}, priority ${goal.priority}, replans ${goal.replans}/${goal.replan_budget}`);
        return 0;
      }
      case 'cancel':
      case 'complete':
      case 'abandon':
      case 'supersede': {
        const goal = await api.request<Goal>('POST', route(`/${verb}`), values.by ? { by: values.by } : {});
        print(out, goal, () => `goal ${goal.id} ${goal.status}${goal.superseded_by ? ` (by ${goal.superseded_by})` : ''}`);
        return 0;
      }
      case 'replan': {
        const plan = values.steps ? await readSteps(String(values.steps)) : {};
        const created = await api.request<PlanView>('POST', route('/replan'), { ...plan, ...(values.reason ? { reason: values.reason } : {}) });
        print(out, created, () => `${planText(created)}\nrun it: titan goal run ${id}`);
        return 0;
      }
      case 'run': {
        // A kernel opened for this command alone stops with it: then the run is waited for.
        if (values.wait || !api.running) {
          const report = await api.request<RunReport>('POST', route('/run?wait=true'), {});
          print(out, report, () => runText(report));
          return report.status === 'succeeded' ? 0 : 1;
        }
        const started = await api.request<{ goalId: string; planId: string }>('POST', route('/run'), {});
        print(
          out,
          started,
          () => `plan ${started.planId} of goal ${id} runs; follow it with titan goal show ${id} (tools that need approval are refused without a conversation)`,
        );
        return 0;
      }
      case 'incidents': {
        const { incidents } = await api.request<{ incidents: Incident[] }>('GET', route('/incidents'));
        print(out, incidents, () =>
          table(
            incidents.map((i) => ({ at: when(i.at), severity: i.severity, kind: i.kind, message: i.message })),
            ['at', 'severity', 'kind', 'message'],
          ),
        );
        return 0;
      }
      default:
        throw new TitanError('TITAN_E_USAGE', 'titan goal list|create|show|update|cancel|complete|abandon|supersede|replan|run|incidents');
    }
  });
}

export function register(program: Command): void {
  const goal = program.command('goal').description('goals the agent pursues: their plans, what ran, and how it was checked');
  const withId = (cmd: Command) => cmd.argument('<id>', 'the goal (titan goal list)');
  examples(
    act(
      goal
        .command('list')
        .description('your goals, newest change first')
        .option('--status <statuses>', `only these, comma-separated (${STATUSES.join(', ')})`)
        .addOption(new Option('--sort <key>', 'order by').choices(['created', 'updated', 'priority', 'title']))
        .addOption(new Option('--order <order>', 'direction').choices(['asc', 'desc']))
        .option('--offset <n>', 'skip this many')
        .option('--limit <n>', 'at most this many (default 50)'),
      goalCommand,
      ['list'],
    ),
    ['titan goal list', 'titan goal list --status active,paused --sort priority', 'titan goal list --offset 50 --limit 50 --json'],
  );
  examples(
    act(
      goal
        .command('create')
        .description('a new goal, with a first plan when --steps is given')
        .argument('<title...>', 'what the goal is')
        .option('--description <text>', 'more about it')
        .option('--priority <n>', 'higher first (default 0)')
        .option('--replan-budget <n>', 'how many times it may be replanned (default 2)')
        .option('--steps <file>', 'a JSON list of steps, or {"steps": [...], "verify": {"tool": ..., "expect": ...}}'),
      goalCommand,
      ['create'],
    ),
    ['titan goal create tidy the notes --steps steps.json', 'titan goal create "learn Rust" --priority 5'],
  );
  examples(act(withId(goal.command('show').description('a goal, its current plan, what ran, the policy and the check')), goalCommand, ['show']), [
    'titan goal show 3f2a…',
  ]);
  examples(
    act(
      withId(goal.command('update').description("a goal's status, priority or replan budget"))
        .addOption(new Option('--status <status>', 'move it').choices(STATUSES))
        .option('--priority <n>', 'higher first')
        .option('--replan-budget <n>', 'replans allowed'),
      goalCommand,
      ['update'],
    ),
    ['titan goal update 3f2a… --status paused', 'titan goal update 3f2a… --replan-budget 4'],
  );
  for (const verb of LIFECYCLE) {
    const cmd = withId(
      goal
        .command(verb)
        .description(`mark the goal ${verb === 'supersede' ? 'superseded (by another with --by)' : `${verb}${verb.endsWith('e') ? 'd' : 'ed'}`}`),
    );
    if (verb === 'supersede') cmd.option('--by <goal>', 'the goal that replaces it');
    examples(act(cmd, goalCommand, [verb]), [`titan goal ${verb} 3f2a…${verb === 'supersede' ? ' --by 9c1d…' : ''}`]);
  }
  examples(
    act(
      withId(goal.command('replan').description('a new plan: the steps that did not succeed, or new ones'))
        .option('--steps <file>', 'new steps (JSON)')
        .option('--reason <text>', 'why'),
      goalCommand,
      ['replan'],
    ),
    ['titan goal replan 3f2a… --reason "the API changed"', 'titan goal replan 3f2a… --steps better.json'],
  );
  examples(
    act(
      withId(goal.command('run').description('run the current plan (in the background of a running Titan)')).option(
        '--wait',
        'wait for the end and print the report',
      ),
      goalCommand,
      ['run'],
    ),
    ['titan goal run 3f2a…', 'titan goal run 3f2a… --wait'],
  );
  examples(act(withId(goal.command('incidents').description('what went wrong while it ran')), goalCommand, ['incidents']), ['titan goal incidents 3f2a…']);
}
