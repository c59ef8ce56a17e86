// `titan routine add|list|show|run|pause|resume|rm`: work the agent does on a schedule, on a
// message, on a webhook call, or by hand. Through the running kernel when there is one (which
// schedules at once), otherwise on a kernel opened for this command (the next start schedules).
import { type Command, Option } from 'commander';
import { TitanError } from '../../common/errors.ts';
import type { RoutineInput, RoutineRun, RoutineView } from '../../agent/api.ts';
import { act, examples, type Args } from '../cli.ts';
import { withClient } from '../client.ts';
import { print, table } from '../output.ts';

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));

function triggerText(r: RoutineView): string {
  const t = r.trigger;
  if (t.kind === 'cron') return `cron "${t.cron}" (${r.timezone})`;
  if (t.kind === 'message') return `message /${t.pattern}/i${t.channel ? ` on ${t.channel}` : ''}`;
  if (t.kind === 'webhook') return `webhook POST ${t.path}`;
  return 'by hand';
}

function actionText(r: RoutineView): string {
  const a = r.action;
  const short = (text: string) => (text.length > 40 ? `${text.slice(0, 39)}…` : text);
  if (a.kind === 'prompt') return `prompt "${short(a.prompt)}"`;
  if (a.kind === 'tool') return `tool ${a.tool}`;
  return `job ${short(String(a.job.command ?? ''))}`;
}

function runRow(run: RoutineRun) {
  const late = run.startedAt === null ? '-' : `${run.startedAt - run.scheduledAt} ms`;
  const said = (run.error ?? run.output ?? '').replace(/\s+/g, ' ');
  return {
    due: when(run.scheduledAt),
    trigger: run.trigger,
    started: when(run.startedAt),
    late,
    took: run.startedAt !== null && run.finishedAt !== null ? `${run.finishedAt - run.startedAt} ms` : '-',
    outcome: run.outcome,
    said: said.length > 60 ? `${said.slice(0, 59)}…` : said,
  };
}

function objectOf(text: string, flag: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TitanError('TITAN_E_USAGE', `${flag} takes a JSON object, e.g. ${flag} '{"text":"hi"}'`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TitanError('TITAN_E_USAGE', `${flag} takes a JSON object`);
  return value as Record<string, unknown>;
}

/** The flags of `titan routine add` as the routes take a routine. */
function inputOf(name: string, v: Args['values']): RoutineInput {
  const text = (key: string) => (typeof v[key] === 'string' ? (v[key] as string) : undefined);
  const job = text('job');
  return {
    name,
    cron: text('cron'),
    timezone: text('tz'),
    onMessage: text('onMessage'),
    channel: text('channel'),
    webhook: v.webhook === true ? true : undefined,
    prompt: text('prompt'),
    tool: text('tool'),
    args: text('args') === undefined ? undefined : objectOf(text('args')!, '--args'),
    // A job is a JSON request, or just its command.
    job: job === undefined ? undefined : job.trim().startsWith('{') ? objectOf(job, '--job') : { command: job },
    deliverTo: text('deliverTo'),
    missed: text('missed') === 'run-once' ? 'run_once' : (text('missed') as RoutineInput['missed']),
    concurrency: text('concurrency') as RoutineInput['concurrency'],
    quietHours: text('quiet'),
    enabled: v.paused === true ? false : undefined,
  };
}

const path = (name: string) => `/api/routines/${encodeURIComponent(name)}`;

export async function routineCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, name] = positionals;
  return withClient(
    async (client) => {
      switch (verb) {
        case 'add': {
          const added = await client.request<{ routine: RoutineView; secret?: string }>('POST', '/api/routines', inputOf(name, values));
          const r = added.routine;
          print(out, added, () =>
            [
              `added ${r.name}: ${triggerText(r)}, ${actionText(r)}${r.deliverTo ? `, answers to ${r.deliverTo}` : ''}`,
              r.nextRunAt !== null ? `next run ${when(r.nextRunAt)} UTC` : r.enabled ? '' : 'paused: `titan routine resume` starts it',
              added.secret ? `webhook: POST ${r.trigger.kind === 'webhook' ? r.trigger.path : ''} with the header x-titan-routine-secret: ${added.secret}` : '',
              added.secret ? 'the secret is shown only now' : '',
              client.running ? '' : 'no kernel runs: the routine is scheduled when Titan starts (npm start)',
            ]
              .filter(Boolean)
              .join('\n'),
          );
          return 0;
        }
        case 'list': {
          const { routines } = await client.request<{ routines: RoutineView[] }>('GET', '/api/routines');
          const rows = routines.map((r) => ({
            name: r.name,
            state: r.enabled ? (r.running ? 'running' : 'on') : 'paused',
            trigger: triggerText(r),
            action: actionText(r),
            next: when(r.nextRunAt),
            last: when(r.lastRunAt),
          }));
          print(out, routines, () =>
            routines.length ? table(rows, ['name', 'state', 'trigger', 'action', 'next', 'last']) : 'no routines yet: titan routine add --help',
          );
          return 0;
        }
        case 'show': {
          const limit = Number(values.limit ?? 20);
          const shown = await client.request<{ routine: RoutineView; runs: RoutineRun[] }>('GET', `${path(name)}?limit=${limit}`);
          const r = shown.routine;
          print(out, shown, () =>
            [
              `${r.name} (${r.id}) ${r.enabled ? 'on' : 'paused'}`,
              `  trigger      ${triggerText(r)}`,
              `  action       ${actionText(r)}`,
              `  deliver to   ${r.deliverTo ?? '(its own thread)'}`,
              `  next run     ${when(r.nextRunAt)} UTC`,
              `  policies     missed: ${r.missed}, concurrency: ${r.concurrency}, quiet hours: ${r.quietHours ? `${r.quietHours.start}-${r.quietHours.end}` : 'none'}`,
              '',
              table(shown.runs.map(runRow), ['due', 'trigger', 'started', 'late', 'took', 'outcome', 'said']),
            ].join('\n'),
          );
          return 0;
        }
        case 'run': {
          const input = typeof values.input === 'string' ? values.input : undefined;
          const { run } = await client.request<{ run: RoutineRun }>('POST', `${path(name)}/run`, { wait: true, ...(input ? { input } : {}) });
          print(out, run, () => `${run.outcome}${run.error ? `: ${run.error}` : ''}${run.output ? `\n${run.output}` : ''}`);
          return run.outcome === 'succeeded' ? 0 : 1;
        }
        case 'pause':
        case 'resume': {
          const { routine } = await client.request<{ routine: RoutineView }>('POST', `${path(name)}/${verb}`);
          print(out, routine, () => (verb === 'pause' ? `paused ${routine.name}` : `resumed ${routine.name}: next run ${when(routine.nextRunAt)} UTC`));
          return 0;
        }
        case 'rm': {
          const removed = await client.request<{ deleted: string; runs: number }>('POST', `${path(name)}/remove`);
          print(out, removed, () => `removed ${name} and its ${removed.runs} run(s)`);
          return 0;
        }
        default:
          throw new TitanError('TITAN_E_USAGE', 'titan routine add|list|show|run|pause|resume|rm');
      }
    },
    // Only running a routine needs the tools and the model; the other verbs read and write records.
    { routines: true, storeOnly: verb !== 'run' },
  );
}

export function register(program: Command): void {
  const routine = program.command('routine').description('work the agent does on a schedule, on a message, on a webhook call, or by hand');
  const named = (cmd: Command) => cmd.argument('<name>', 'the routine (its name or id)');
  examples(
    act(
      named(routine.command('add').description('add a routine (one trigger, one action)'))
        .option('--cron <expr>', 'run on a cron schedule: five fields, or six with seconds first')
        .option('--tz <zone>', "the schedule's and quiet hours' IANA time zone (default this machine's)")
        .option('--on-message <pattern>', 'run when a message matches this regular expression (any channel)')
        .option('--channel <name>', 'with --on-message: only messages on this channel (telegram, slack, web...)')
        .option('--webhook', 'run on POST /hooks/routines/NAME with a secret shown once')
        .option('--prompt <text>', 'run a full agent turn with this prompt')
        .option('--tool <name>', 'call this tool')
        .option('--args <json>', 'with --tool: its arguments as a JSON object')
        .option('--job <command|json>', 'run a job in a Docker sandbox: a command, or a job request as JSON')
        .option('--deliver-to <target>', 'send the answer to telegram, telegram:<chat>, slack:<channel> or thread:<id>')
        .addOption(new Option('--missed <policy>', 'runs missed while Titan was down').choices(['skip', 'run-once']).default('skip'))
        .addOption(new Option('--concurrency <policy>', 'when the previous run still runs').choices(['skip', 'queue', 'allow']).default('skip'))
        .option('--quiet <HH:MM-HH:MM>', 'quiet hours: scheduled and event runs in them are skipped')
        .option('--paused', 'add it paused'),
      routineCommand,
      ['add'],
    ),
    [
      `titan routine add morning-tests --cron "0 7 * * *" --tz Europe/Berlin --prompt "run the repo's tests and summarise" --deliver-to telegram`,
      'titan routine add nightly-build --cron "30 2 * * *" --job \'{"command":"npm test","workspace":"/srv/repo","policy":"read-only"}\'',
      'titan routine add on-deploy --on-message "deploy (now|today)" --tool echo --args \'{"text":"deploying"}\'',
      'titan routine add on-push --webhook --prompt "summarise this push" --deliver-to slack:C0123',
    ],
  );
  examples(act(routine.command('list').description('every routine with its trigger and next run'), routineCommand, ['list']), ['titan routine list --json']);
  examples(
    act(named(routine.command('show').description('a routine and its run history')).option('--limit <n>', 'runs to show', '20'), routineCommand, ['show']),
    ['titan routine show morning-tests --limit 50'],
  );
  examples(
    act(named(routine.command('run').description('run it now and wait for its end')).option('--input <text>', 'added to a prompt'), routineCommand, ['run']),
    ['titan routine run morning-tests'],
  );
  for (const [verb, what] of [
    ['pause', 'stop its triggers until resumed'],
    ['resume', 'start its triggers again (its next run counts from now)'],
    ['rm', 'remove it and its history'],
  ] as const) {
    examples(act(named(routine.command(verb).description(what)), routineCommand, [verb]), [`titan routine ${verb} morning-tests`]);
  }
}
