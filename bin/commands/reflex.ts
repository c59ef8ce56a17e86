// `titan reflex list|show|suspend|resume|delete`: the compiled reflexes, through the running
// kernel when there is one (it serves them), otherwise on the records in the store.
import { TitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/api.ts';
import { reflexDetail, reflexSummary, type ReflexRecord } from '../../agent/api.ts';
import { ReflexService } from '../../agent/reflex/service.ts';
import type { Args } from '../main.ts';
import { print, table } from '../output.ts';
import { runningKernel, withOfflineKernel } from '../session.ts';

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
  name: r.name, version: r.version ?? '-', state: r.state, hits: r.hits, misses: r.misses, rejected: r.rejections,
  suspended: r.suspensions, avoided: r.modelCallsAvoided, example: r.example, reason: r.reason ?? '',
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

/** The service on an offline kernel: the records in the store, no mining. */
async function offline<T>(fn: (service: ReflexService) => Promise<T>): Promise<T> {
  return withOfflineKernel(async (kernel: Kernel, config) => {
    const service = new ReflexService(kernel, { mineDelayMs: 3_600_000, config });
    await service.start();
    try {
      return await fn(service);
    } finally {
      await service.close();
    }
  });
}

export async function reflexCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb = 'list', name] = positionals;
  if (!VERBS.includes(verb)) throw new TitanError('TITAN_E_USAGE', `unknown reflex verb "${verb}" (${VERBS.join(', ')})`);
  const client = await runningKernel();
  if (verb === 'list') {
    const all = client ? await client.request<Summary[]>('GET', '/reflexes') : await offline(async (s) => s.list().map(reflexSummary));
    const shown = all.filter((r) => !values.state || r.state === values.state);
    const shadow = client ? await client.request<ShadowSummary>('GET', '/shadow') : undefined;
    print(out, shown, () => [shown.length ? table(shown.map(row), ['name', 'version', 'state', 'hits', 'misses', 'rejected', 'suspended', 'avoided', 'example', 'reason']) : 'no reflexes yet: they are compiled from requests that recur', ...(shadow ? [shadowLine(shadow)] : [])].join('\n'));
    return 0;
  }
  if (!name) throw new TitanError('TITAN_E_USAGE', `titan reflex ${verb} NAME`);
  if (verb === 'show') {
    const detail = client ? await client.request<Detail>('GET', `/reflexes/${encodeURIComponent(name)}`) : await offline(async (s) => reflexDetail(s.get(name)));
    print(out, detail, () => describe(detail));
    return 0;
  }
  const why = typeof values.why === 'string' ? values.why : undefined;
  const changed = client
    ? await client.request<Summary>('POST', `/reflexes/${encodeURIComponent(name)}/${verb}`, { why })
    : await offline(async (s): Promise<Summary> => {
        const record: ReflexRecord = verb === 'suspend' ? await s.suspend(name, why) : verb === 'resume' ? await s.resume(name) : await s.delete(name);
        return reflexSummary(record);
      });
  print(out, changed, () => `${changed.name}@${changed.version ?? '-'}: ${verb === 'delete' ? 'deleted' : changed.state}${changed.reason ? ` (${changed.reason})` : ''}`);
  return 0;
}
