// `titan reflex list|show|suspend|resume|delete`: the compiled reflexes, through the running
// kernel when there is one (it serves them), otherwise on the records in the store.
import { TitanError } from '../../common/errors.ts';
import type { ReflexService, reflexDetail, reflexSummary } from '../../agent/api.ts';
import type { Command } from 'commander';
import { act, examples, type Args } from '../cli.ts';
import { print, table } from '../output.ts';
import { withClient } from '../client.ts';

type Summary = ReturnType<typeof reflexSummary>;
type Detail = ReturnType<typeof reflexDetail>;
type ShadowSummary = ReturnType<ReflexService['shadowSummary']>;

/** Whether the shadow workers pay for themselves: model requests spent against requests saved. */
function shadowLine(s: ShadowSummary): string {
  if (s.model === 'off') return 'shadow workers: off (no background model configured; shadow.mainModelBudgetPerHour is 0)';
  return `shadow workers (${s.model} model): ${s.requestsSpent} model requests spent, ${s.requestsSaved} saved`;
}

const VERBS = ['list', 'show', 'suspend', 'resume', 'delete'];

const row = (r: Summary) => ({
  name: r.name,
  version: r.version ?? '-',
  state: r.state,
  hits: r.hits,
  misses: r.misses,
  rejected: r.rejections,
  suspended: r.suspensions,
  avoided: r.modelCallsAvoided,
  example: r.example,
  reason: r.reason ?? '',
});

function describe(r: Detail): string {
  const lines = [
    `${r.name}@${r.version ?? '-'}: ${r.state}${r.reason ? ` (${r.reason})` : ''}`,
    r.description,
    `tools: ${r.tools.join(', ') || '(none)'}   slots: ${r.slots.join(', ') || '(none)'}`,
    `hits ${r.hits}, misses ${r.misses}, rejections ${r.rejections}, suspensions ${r.suspensions}, model calls avoided ${r.modelCallsAvoided}`,
    'phrasings:',
    ...r.templates.map((t) => `  ${t}`),
    `compiled from turns: ${r.provenance.join(', ')}`,
  ];
  return lines.join('\n');
}

export async function reflexCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb = '', name] = positionals;
  if (!VERBS.includes(verb)) throw new TitanError('TITAN_E_USAGE', `unknown reflex verb "${verb}" (${VERBS.join(', ')})`);
  // Offline, the records in the store answer (the reflex routes on a kernel opened for the command).
  const ask = <T>(method: 'GET' | 'POST', route: string, body?: unknown) => withClient((client) => client.request<T>(method, route, body), { reflexes: true });
  if (verb === 'list') {
    const { all, shadow } = await withClient(
      async (client) => {
        const answer = await client.request<{ reflexes: Summary[]; shadowSummary?: ShadowSummary }>('GET', '/api/reflexes');
        // The shadow workers' account is the running kernel's; a stopped one has none to give.
        return { all: answer.reflexes, shadow: client.running ? answer.shadowSummary : undefined };
      },
      { reflexes: true, storeOnly: true, fromStoreFile: true },
    );
    const shown = all.filter((r) => !values.state || r.state === values.state);
    print(out, shown, () =>
      [
        shown.length
          ? table(shown.map(row), ['name', 'version', 'state', 'hits', 'misses', 'rejected', 'suspended', 'avoided', 'example', 'reason'])
          : 'no reflexes yet: they are compiled from requests that recur',
        ...(shadow ? [shadowLine(shadow)] : []),
      ].join('\n'),
    );
    return 0;
  }
  if (!name) throw new TitanError('TITAN_E_USAGE', `titan reflex ${verb} NAME`);
  if (verb === 'show') {
    const detail = await ask<Detail>('GET', `/api/reflexes/${encodeURIComponent(name)}`);
    print(out, detail, () => describe(detail));
    return 0;
  }
  const why = typeof values.why === 'string' ? values.why : undefined;
  const changed = await ask<Summary>('POST', `/api/reflexes/${encodeURIComponent(name)}/${verb}`, verb === 'suspend' ? { why } : {});
  print(
    out,
    changed,
    () => `${changed.name}@${changed.version ?? '-'}: ${verb === 'delete' ? 'deleted' : changed.state}${changed.reason ? ` (${changed.reason})` : ''}`,
  );
  return 0;
}

export function register(program: Command): void {
  const reflex = program.command('reflex').description('reflexes compiled from recurring requests: their hits, misses and state');
  examples(
    act(
      reflex
        .command('list')
        .description('the reflexes, with hits and misses')
        .option('--state <state>', 'only reflexes in this state (e.g. active, suspended)'),
      reflexCommand,
      ['list'],
    ),
    ['titan reflex list', 'titan reflex list --state suspended --json'],
  );
  const name = (cmd: Command) => cmd.argument('<name>', "the reflex's name (titan reflex list)");
  examples(act(name(reflex.command('show').description('one reflex: phrasings, tools, provenance')), reflexCommand, ['show']), [
    'titan reflex show weather-in-city',
  ]);
  examples(
    act(
      name(reflex.command('suspend').description('stop a reflex answering (the model answers instead)')).option(
        '--why <text>',
        'the reason, shown in the list',
      ),
      reflexCommand,
      ['suspend'],
    ),
    ['titan reflex suspend weather-in-city --why "stale answers"'],
  );
  examples(act(name(reflex.command('resume').description('let a suspended reflex answer again')), reflexCommand, ['resume']), [
    'titan reflex resume weather-in-city',
  ]);
  examples(act(name(reflex.command('delete').description('remove a reflex')), reflexCommand, ['delete']), ['titan reflex delete weather-in-city']);
}
