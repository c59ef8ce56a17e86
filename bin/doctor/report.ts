// Doctor's and the audit's shared frame: the context the checks read, and the report they print.
import { titanHome } from '../../common/home.ts';
import type { Out } from '../output.ts';
import { print } from '../output.ts';
import { runningClient } from '../client.ts';
import { repairAll, runChecks, type Check, type DoctorContext, type Finding } from './finding.ts';

export async function doctorContext(env: NodeJS.ProcessEnv = process.env): Promise<DoctorContext> {
  const home = titanHome(env);
  const { loadTitanConfig } = await import('../config.ts');
  const loaded = await loadTitanConfig(env).then(
    ({ config }) => ({ config, configError: undefined }),
    (error: Error) => ({ config: undefined, configError: error.message }),
  );
  return { home, env, ...loaded, running: await runningClient().catch(() => null) };
}

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;

/** Runs the checks (and with `fix` their safe repairs), prints them; exit 1 when something fails. */
export async function report(checks: Check[], options: { fix: boolean; out: Out; title: string; command: string }): Promise<number> {
  const ctx = await doctorContext();
  let findings: Array<Finding & { repaired?: string }> = await runChecks(checks, ctx);
  if (options.fix) findings = await repairAll(findings);
  const failed = findings.filter((f) => f.status === 'fail' && !f.repaired?.length).length;
  const warned = findings.filter((f) => f.status === 'warn').length;
  const plain = findings.map(({ repair, ...f }) => ({ ...f, ...(repair && !f.repaired ? { fixable: true } : {}) }));
  print(options.out, { ok: failed === 0, failed, warned, findings: plain }, () =>
    [
      ...findings.map(
        (f) =>
          `${MARK[f.status]}  ${f.check}: ${f.message}` +
          (f.status !== 'ok' && f.fix ? `\n      fix: ${f.fix}${f.repair && !f.repaired ? ` (${options.command} --fix does this)` : ''}` : '') +
          (f.repaired ? `\n      --fix: ${f.repaired}` : ''),
      ),
      '',
      `${options.title}: ${failed ? `${failed} failing` : 'nothing failing'}, ${warned} warning(s)`,
    ].join('\n'),
  );
  return failed ? 1 : 0;
}
