// `titan step list|show|add|status|replace`: the steps of a plan. A step is a tool with its
// arguments or a prompt run as a turn; the whole list is replaced at once, never while one runs.
import { Argument, type Command } from 'commander';
import { TitanError } from '../../common/errors.ts';
import { act, examples, type Args } from '../cli.ts';
import { withClient } from '../client.ts';
import { print } from '../output.ts';
import { readSteps, stepsTable, type StepView } from '../goal-views.ts';

const STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'];

function stepText(step: StepView): string {
  return [
    `${step.id}  #${step.position}  ${step.status}  (${step.attempts} attempt${step.attempts === 1 ? '' : 's'})`,
    `${step.kind}: ${step.title}`,
    `spec: ${JSON.stringify(step.spec)}`,
    ...(step.output ? [`output: ${step.output}`] : []),
    ...(step.error ? [`error: ${step.error}`] : []),
  ].join('\n');
}

/** The step --tool/--args or --prompt describe. */
function stepInput(values: Args['values']): Record<string, unknown> {
  const title = values.title as string;
  if (values.tool && values.prompt) throw new TitanError('TITAN_E_USAGE', 'a step is a tool (--tool) or a turn (--prompt), not both');
  if (values.prompt) return { title, kind: 'turn', prompt: values.prompt };
  if (!values.tool) throw new TitanError('TITAN_E_USAGE', 'titan step add PLAN_ID --title T and --tool NAME [--args JSON] or --prompt TEXT');
  let args: unknown = {};
  if (values.args !== undefined) {
    try {
      args = JSON.parse(String(values.args));
    } catch {
      throw new TitanError('TITAN_E_USAGE', `--args must be a JSON object (got ${String(values.args).slice(0, 80)})`);
    }
  }
  return { title, kind: 'tool', tool: values.tool, arguments: args };
}

export async function stepCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, id, status] = positionals;
  const plan = (suffix = '') => `/api/plans/${encodeURIComponent(id)}${suffix}`;
  const step = () => `/api/steps/${encodeURIComponent(id)}`;
  return withClient(async (api) => {
    switch (verb) {
      case 'list': {
        const { steps } = await api.request<{ steps: StepView[] }>('GET', plan('/steps'));
        print(out, steps, () => stepsTable(steps));
        return 0;
      }
      case 'show': {
        const found = await api.request<StepView>('GET', step());
        print(out, found, () => stepText(found));
        return 0;
      }
      case 'add': {
        const added = await api.request<StepView>('POST', plan('/steps'), stepInput(values));
        print(out, added, () => stepText(added));
        return 0;
      }
      case 'status': {
        const moved = await api.request<StepView>('PATCH', step(), JSON.parse(JSON.stringify({ status, output: values.output, error: values.error })));
        print(out, moved, () => stepText(moved));
        return 0;
      }
      case 'replace': {
        const { steps } = await readSteps(String(values.steps));
        const replaced = await api.request<{ steps: StepView[] }>('PUT', plan('/steps'), { steps });
        print(out, replaced.steps, () => stepsTable(replaced.steps));
        return 0;
      }
      default:
        throw new TitanError('TITAN_E_USAGE', 'titan step list|show|add|status|replace');
    }
  });
}

export function register(program: Command): void {
  const step = program.command('step').description("a plan's steps: tools with their arguments, or prompts run as turns");
  examples(act(step.command('list').description("a plan's steps in order").argument('<plan>', 'the plan'), stepCommand, ['list']), ['titan step list 7b9e…']);
  examples(act(step.command('show').description('one step, its spec and its result').argument('<id>', 'the step'), stepCommand, ['show']), [
    'titan step show 51c0…',
  ]);
  examples(
    act(
      step
        .command('add')
        .description('a step at the end of a plan')
        .argument('<plan>', 'the plan')
        .requiredOption('--title <text>', 'what the step does')
        .option('--tool <name>', 'the tool it calls')
        .option('--args <json>', "the tool's arguments, a JSON object")
        .option('--prompt <text>', 'or: what a turn of its own is asked'),
      stepCommand,
      ['add'],
    ),
    ['titan step add 7b9e… --title "say hi" --tool echo --args \'{"text":"hi"}\'', 'titan step add 7b9e… --title summarise --prompt "Summarise the notes"'],
  );
  examples(
    act(
      step
        .command('status')
        .description('move a step (pending -> running -> succeeded | failed)')
        .argument('<id>', 'the step')
        .addArgument(new Argument('<status>', 'the new status').choices(STATUSES))
        .option('--output <text>', 'what it produced')
        .option('--error <text>', 'why it failed'),
      stepCommand,
      ['status'],
    ),
    ['titan step status 51c0… skipped'],
  );
  examples(
    act(
      step
        .command('replace')
        .description('the whole step list at once (refused while a step runs)')
        .argument('<plan>', 'the plan')
        .requiredOption('--steps <file>', 'a JSON list of steps'),
      stepCommand,
      ['replace'],
    ),
    ['titan step replace 7b9e… --steps steps.json'],
  );
}
