// `titan step list|show|add|status|replace|agents`: the steps of a plan. A step is a tool with its
// arguments, a prompt run as a turn, or a swarm of sub-agents (from a JSON file); the whole list is
// replaced at once, never while one runs; `agents` shows what became of a swarm's sub-agents.
import { readFile } from 'node:fs/promises';
import { Argument, type Command } from 'commander';
import { TitanError } from '../../common/errors.ts';
import { act, examples, type Args } from '../cli.ts';
import { withClient } from '../client.ts';
import { print, table } from '../output.ts';
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

type SubAgentRow = {
  index: number;
  title: string;
  state: string;
  node: string;
  result?: { tokens?: number; ms?: number; output?: string; error?: { code: string } };
};

/** The step --tool/--args, --prompt or --swarm describe. */
async function stepInput(values: Args['values']): Promise<Record<string, unknown>> {
  const title = values.title as string;
  if ([values.tool, values.prompt, values.swarm].filter(Boolean).length > 1)
    throw new TitanError('TITAN_E_USAGE', 'a step is a tool (--tool), a turn (--prompt) or a swarm (--swarm), one of them');
  if (values.prompt) return { title, kind: 'turn', prompt: values.prompt };
  if (values.swarm) {
    let swarm: unknown;
    try {
      swarm = JSON.parse(await readFile(String(values.swarm), 'utf8'));
    } catch (error) {
      throw new TitanError('TITAN_E_USAGE', `${String(values.swarm)} is not a readable JSON file: ${(error as Error).message}`, {
        fix: 'write the swarm as JSON: {"agents": [{"title": "...", "prompt": "...", "tools": ["memory-search"]}], "concurrency": 8}',
      });
    }
    if (!swarm || typeof swarm !== 'object' || Array.isArray(swarm))
      throw new TitanError('TITAN_E_USAGE', `${String(values.swarm)} must hold {"agents": [...]}`);
    return { ...swarm, title, kind: 'swarm' };
  }
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
        const added = await api.request<StepView>('POST', plan('/steps'), await stepInput(values));
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
      case 'agents': {
        const { agents } = await api.request<{ agents: SubAgentRow[] }>('GET', `${step()}/agents`);
        const rows = agents.map((a) => ({
          '#': a.index + 1,
          title: a.title,
          state: a.state,
          node: a.node.length > 12 ? `…${a.node.slice(-8)}` : a.node,
          tokens: a.result?.tokens ?? '',
          ms: a.result?.ms ?? '',
          result: (a.result?.error?.code ?? a.result?.output ?? '').replace(/\s+/g, ' ').slice(0, 60),
        }));
        print(out, agents, () => (rows.length ? table(rows, ['#', 'title', 'state', 'node', 'tokens', 'ms', 'result']) : 'no sub-agent has started yet'));
        return 0;
      }
      default:
        throw new TitanError('TITAN_E_USAGE', 'titan step list|show|add|status|replace|agents');
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
        .option('--prompt <text>', 'or: what a turn of its own is asked')
        .option('--swarm <file>', 'or: sub-agents to fan out to, a JSON file {"agents": [...], "concurrency", "tokenBudget", "timeoutMs"}'),
      stepCommand,
      ['add'],
    ),
    [
      'titan step add 7b9e… --title "say hi" --tool echo --args \'{"text":"hi"}\'',
      'titan step add 7b9e… --title summarise --prompt "Summarise the notes"',
      'titan step add 7b9e… --title "read every module" --swarm swarm.json',
    ],
  );
  examples(
    act(step.command('agents').description("a swarm step's sub-agents: state, node, tokens, result").argument('<id>', 'the step'), stepCommand, ['agents']),
    ['titan step agents 51c0…', 'titan step agents 51c0… --json'],
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
