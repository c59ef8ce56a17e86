// `titan job submit|list|show|logs|cancel|export`: sandbox jobs of the running Titan (they run in
// its Docker containers, so a running `titan start` is needed). Logs follow live with -f; export
// writes the job's files as a tar archive, streamed, whatever their size.
import path from 'node:path';
import { type Command, Option } from 'commander';
import { TitanError } from '../../common/errors.ts';
import { homePaths, titanHome } from '../../common/home.ts';
import { act, examples, type Args } from '../cli.ts';
import { runningClient, type Client } from '../client.ts';
import { print, table } from '../output.ts';
import { downloadTar, events } from '../job-stream.ts';

const STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'];
const POLICIES = ['read-only', 'workspace-write', 'full'];

type JobView = {
  id: string;
  state: string;
  name: string | null;
  command: string;
  reason: string | null;
  exitCode: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  policy: string;
  network: boolean;
  limits: { timeoutS: number; memoryMb: number; cpus: number; pids: number };
  mode?: string;
  answer?: string | null;
};
type JobEvent = { type: 'log'; stream: string; text: string } | { type: 'state'; state: string; reason: string | null; exitCode: number | null };

async function client(): Promise<Client> {
  const running = await runningClient();
  if (!running) throw new TitanError('TITAN_E_KERNEL_UNREACHABLE', 'jobs run in a running Titan: none answers on this $TITAN_HOME');
  return running;
}

const socket = () => ({ socketPath: homePaths(titanHome()).controlSocket });
const when = (ms: number | null) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');
const took = (job: JobView) => (job.startedAt && job.finishedAt ? `${((job.finishedAt - job.startedAt) / 1000).toFixed(1)} s` : '');

function describe(job: JobView): string {
  return [
    `${job.id}  ${job.state}${job.name ? `  (${job.name})` : ''}`,
    `command:  ${job.command}`,
    `limits:   ${job.limits.memoryMb} MB, ${job.limits.cpus} CPU, ${job.limits.pids} pids, ${job.limits.timeoutS} s; ${job.policy}${job.network ? ', network' : ', no network'}`,
    `created:  ${when(job.createdAt)}${job.startedAt ? `  started: ${when(job.startedAt)}` : ''}${job.finishedAt ? `  ended: ${when(job.finishedAt)} (${took(job)})` : ''}`,
    ...(job.exitCode !== null ? [`exit:     ${job.exitCode}`] : []),
    ...(job.reason ? [`reason:   ${job.reason}`] : []),
    ...(job.answer ? [`answer:   ${job.answer}`] : []),
  ].join('\n');
}

/** Prints the log (and, following, the live output) until the job ends; the job's exit status. */
async function follow(id: string, out: Args['out']): Promise<number> {
  let ending: Extract<JobEvent, { type: 'state' }> | undefined;
  for await (const event of events<JobEvent>(socket(), `/api/jobs/${encodeURIComponent(id)}/events`)) {
    if (out.json) process.stdout.write(`${JSON.stringify(event)}\n`);
    else if (event.type === 'log') (event.stream === 'stderr' ? process.stderr : process.stdout).write(event.text);
    if (event.type === 'state' && !['queued', 'running'].includes(event.state)) ending = event;
  }
  if (!ending) throw new TitanError('TITAN_E_KERNEL_UNREACHABLE', `the stream of job ${id} ended before the job did (titan job show ${id})`);
  if (!out.json && ending.state !== 'succeeded') process.stderr.write(`job ${id} ${ending.state}${ending.reason ? `: ${ending.reason}` : ''}\n`);
  return ending.state === 'succeeded' ? 0 : 1;
}

export async function jobCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, id, ...rest] = positionals;
  const api = await client();
  const route = (suffix = '') => `/api/jobs/${encodeURIComponent(id)}${suffix}`;
  switch (verb) {
    case 'submit': {
      const command = [id, ...rest].join(' ');
      const number = (flag: string) => {
        if (values[flag] === undefined) return undefined;
        const value = Number(values[flag]);
        if (!Number.isFinite(value)) throw new TitanError('TITAN_E_USAGE', `--${flag} takes a number (got "${values[flag]}")`);
        return value;
      };
      const agent = values.agent as string | undefined;
      const worker = values.worker as string | undefined;
      if (!agent && !worker && !command.trim()) throw new TitanError('TITAN_E_USAGE', 'titan job submit -- COMMAND (or --agent PROMPT, or --worker PROMPT)');
      const request = {
        command: command || undefined,
        mode: worker ? 'agent' : agent ? 'coding-agent' : undefined,
        prompt: worker ?? agent,
        maxSteps: number('max-steps'),
        name: values.name as string | undefined,
        policy: values.policy as string | undefined,
        network: values.network === true ? true : undefined,
        workspace: values.workspace === undefined ? undefined : path.resolve(String(values.workspace)),
        timeoutS: number('timeout'),
        memoryMb: number('memory'),
        cpus: number('cpus'),
        pids: number('pids'),
      };
      const { job } = await api.request<{ job: JobView }>('POST', '/api/jobs', JSON.parse(JSON.stringify(request)));
      if (values.follow) {
        if (!out.json) process.stderr.write(`job ${job.id} submitted\n`);
        return follow(job.id, out);
      }
      print(out, job, () => `job ${job.id} ${job.state}: titan job logs -f ${job.id}`);
      return 0;
    }
    case 'list': {
      const state = values.state as string | undefined;
      const answer = await api.request<{ jobs: JobView[]; running: number; queued: number; docker: boolean }>(
        'GET',
        `/api/jobs${state ? `?state=${state}` : ''}`,
      );
      print(out, answer, () => {
        const rows = answer.jobs.map((j) => ({
          id: j.id,
          state: j.state,
          name: j.name ?? '',
          command: j.command.slice(0, 40),
          created: when(j.createdAt),
          took: took(j),
        }));
        const head = `${answer.running} running, ${answer.queued} queued${answer.docker ? '' : '; the Docker engine does not answer'}`;
        return `${head}\n${answer.jobs.length ? table(rows, ['id', 'state', 'name', 'command', 'created', 'took']) : 'no jobs yet: titan job submit -- echo hello'}`;
      });
      return 0;
    }
    case 'show': {
      const { job } = await api.request<{ job: JobView }>('GET', route());
      print(out, job, () => describe(job));
      return 0;
    }
    case 'logs': {
      if (values.follow) return follow(id, out);
      const { chunks } = await api.request<{ chunks: Array<{ stream: string; text: string }> }>('GET', route('/logs'));
      if (out.json) print(out, chunks, () => '');
      else for (const chunk of chunks) (chunk.stream === 'stderr' ? process.stderr : process.stdout).write(chunk.text);
      return 0;
    }
    case 'cancel': {
      const { job } = await api.request<{ job: JobView }>('POST', route('/cancel'));
      print(out, job, () => `job ${job.id} ${job.state}`);
      return 0;
    }
    case 'export': {
      const [file] = rest;
      const { bytes } = await downloadTar(socket(), route('/files/download'), path.resolve(file));
      print(out, { id, file: path.resolve(file), bytes }, () => `wrote ${file}: ${(bytes / 1024 / 1024).toFixed(1)} MB`);
      return 0;
    }
    default:
      throw new TitanError('TITAN_E_USAGE', 'titan job submit|list|show|logs|cancel|export');
  }
}

export function register(program: Command): void {
  const job = program.command('job').description('sandbox jobs: commands run in Docker containers with limits, no network unless granted');
  const withId = (cmd: Command) => cmd.argument('<id>', 'the job (titan job list)');
  examples(
    act(
      job
        .command('submit')
        .description('run a shell command in a sandbox container')
        .argument('[command...]', 'the shell command (after --)')
        .option('--agent <prompt>', 'run the configured coding-agent CLI (jobs.agentCommand) with this prompt; its JSON events stream as job events')
        .option(
          '--worker <prompt>',
          "run Titan's own agent worker in the container on this prompt: its model calls go through Titan, no key enters the container",
        )
        .option('--max-steps <n>', "the worker's most model calls (default jobs.agentMaxSteps)")
        .option('--name <name>', 'a label for people')
        .addOption(new Option('--policy <policy>', 'how /workspace is mounted').choices(POLICIES))
        .option('--network', 'grant the network (none by default)')
        .option('--workspace <dir>', 'mount this host folder (default: a fresh folder of the job)')
        .option('--timeout <s>', 'time limit in seconds')
        .option('--memory <mb>', 'memory limit in MB (no swap)')
        .option('--cpus <n>', 'CPUs')
        .option('--pids <n>', 'most processes at once')
        .option('-f, --follow', 'print the output live and exit with the job'),
      jobCommand,
      ['submit'],
    ),
    [
      'titan job submit -- echo hello',
      'titan job submit --memory 256 --timeout 60 -f -- "make test"',
      'titan job submit --workspace . --policy read-only -- ls -la',
      'titan job submit --workspace . -f --worker "make the failing test pass"',
    ],
  );
  examples(
    act(
      job.command('list').description('your jobs, newest first').addOption(new Option('--state <state>', 'only jobs in this state').choices(STATES)),
      jobCommand,
      ['list'],
    ),
    ['titan job list', 'titan job list --state running'],
  );
  examples(act(withId(job.command('show').description("a job's state, limits and reason")), jobCommand, ['show']), ['titan job show job_abc123']);
  examples(act(withId(job.command('logs').description("a job's output")).option('-f, --follow', 'follow until the job ends'), jobCommand, ['logs']), [
    'titan job logs job_abc123',
    'titan job logs -f job_abc123',
  ]);
  examples(act(withId(job.command('cancel').description('stop a queued or running job')), jobCommand, ['cancel']), ['titan job cancel job_abc123']);
  examples(act(withId(job.command('export').description("a job's files as a tar archive")).argument('<file>', 'the .tar to write'), jobCommand, ['export']), [
    'titan job export job_abc123 out.tar',
  ]);
}
