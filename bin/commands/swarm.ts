// `titan swarm run|list|show`: parallel swarms in the running Titan - a task the model splits into
// parts that run at once as agent jobs, each on its own git branch of the workspace; their changes
// merged back, conflicts named with their files, and one answer. `run -f` waits for that answer.
import path from 'node:path';
import type { Command } from 'commander';
import { TitanError } from '../../common/errors.ts';
import { act, examples, type Args } from '../cli.ts';
import { runningClient, type Client } from '../client.ts';
import { print, table } from '../output.ts';

type PartView = {
  part: number;
  title: string;
  branch: string;
  jobId: string | null;
  state: string;
  merged: boolean;
  conflicts: string[];
  reason: string | null;
};
type SwarmView = {
  id: string;
  task: string;
  workspace: string;
  state: string;
  branch: string | null;
  mergedBack: boolean;
  parts: PartView[];
  answer: string | null;
  reason: string | null;
  createdAt: number;
};
const ENDED = ['succeeded', 'failed', 'conflicts'];
const POLL_MS = 1000;

async function client(): Promise<Client> {
  const running = await runningClient();
  if (!running) throw new TitanError('TITAN_E_KERNEL_UNREACHABLE', 'swarms run in a running Titan: none answers on this $TITAN_HOME');
  return running;
}

function describe(swarm: SwarmView): string {
  const parts = swarm.parts.map((p) => ({
    part: String(p.part),
    title: p.title,
    job: p.jobId ?? '',
    state: p.state,
    merge: p.conflicts.length ? `conflicts: ${p.conflicts.join(', ')}` : p.merged ? 'merged' : '',
  }));
  return [
    `${swarm.id}  ${swarm.state}  (${swarm.workspace})`,
    `task:     ${swarm.task}`,
    ...(swarm.branch ? [`branch:   ${swarm.branch}${swarm.mergedBack ? ' (merged into the workspace)' : ''}`] : []),
    ...(swarm.reason ? [`reason:   ${swarm.reason}`] : []),
    ...(parts.length ? [table(parts, ['part', 'title', 'job', 'state', 'merge'])] : []),
    ...(swarm.answer ? ['', swarm.answer] : []),
  ].join('\n');
}

export async function swarmCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, ...rest] = positionals;
  const api = await client();
  switch (verb) {
    case 'run': {
      const task = rest.join(' ');
      if (!task.trim()) throw new TitanError('TITAN_E_USAGE', 'titan swarm run [--workspace DIR] [--parts N] TASK');
      const parts = values.parts === undefined ? undefined : Number(values.parts);
      if (parts !== undefined && !Number.isInteger(parts)) throw new TitanError('TITAN_E_USAGE', `--parts takes a whole number (got "${values.parts}")`);
      const workspace = path.resolve(String(values.workspace ?? '.'));
      let { swarm } = await api.request<{ swarm: SwarmView }>('POST', '/api/swarms', JSON.parse(JSON.stringify({ task, workspace, parts })));
      if (values.follow) {
        if (!out.json) process.stderr.write(`swarm ${swarm.id} started: planning\n`);
        while (!ENDED.includes(swarm.state)) {
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          ({ swarm } = await api.request<{ swarm: SwarmView }>('GET', `/api/swarms/${swarm.id}`));
        }
      }
      print(out, swarm, () => (values.follow ? describe(swarm) : `swarm ${swarm.id} ${swarm.state}: titan swarm show ${swarm.id}`));
      return !values.follow || swarm.state === 'succeeded' ? 0 : 1;
    }
    case 'list': {
      const { swarms } = await api.request<{ swarms: SwarmView[] }>('GET', '/api/swarms');
      print(out, swarms, () =>
        swarms.length
          ? table(
              swarms.map((s) => ({ id: s.id, state: s.state, parts: String(s.parts.length), task: s.task.slice(0, 50) })),
              ['id', 'state', 'parts', 'task'],
            )
          : 'no swarms yet: titan swarm run --workspace . "TASK"',
      );
      return 0;
    }
    case 'show': {
      const { swarm } = await api.request<{ swarm: SwarmView }>('GET', `/api/swarms/${encodeURIComponent(rest[0] ?? '')}`);
      print(out, swarm, () => describe(swarm));
      return 0;
    }
    default:
      throw new TitanError('TITAN_E_USAGE', 'titan swarm run|list|show');
  }
}

export function register(program: Command): void {
  const swarm = program.command('swarm').description('parallel swarms: a task split by the model into parts run at once in sandboxes, merged with git');
  examples(
    act(
      swarm
        .command('run')
        .description('split TASK into parts, each an agent job on its own branch of the workspace (a git repository with nothing uncommitted)')
        .argument('<task...>', 'what to do')
        .option('--workspace <dir>', 'the git repository (default: the current folder)')
        .option('--parts <n>', 'at most this many parts (default 3)')
        .option('-f, --follow', 'wait for the merged result and the answer'),
      swarmCommand,
      ['run'],
    ),
    ['titan swarm run -f "add tests for the parser and the printer"', 'titan swarm run --workspace ~/src/app --parts 4 "translate the docs"'],
  );
  examples(act(swarm.command('list').description('your swarms, newest first'), swarmCommand, ['list']), ['titan swarm list']);
  examples(act(swarm.command('show').description("a swarm's parts, merge, conflicts and answer").argument('<id>', 'the swarm'), swarmCommand, ['show']), [
    'titan swarm show swarm_0123456789ab',
  ]);
}
