// What a doctor or audit check reports: one finding per thing checked, with the fix when it is not
// ok, and for the safe ones a repair `--fix` may run (never one that deletes data).
import type { TitanConfig } from '../config.ts';
import type { Client } from '../client.ts';

export type Status = 'ok' | 'warn' | 'fail' | 'skip';

export type Finding = {
  check: string;
  status: Status;
  message: string;
  fix?: string;
  /** A safe repair (create a folder, tighten a mode, migrate forward); says what it did. */
  repair?: () => Promise<string>;
};

/** What every check may read: the home, the environment, the loaded config (or why it did not load), a running Titan. */
export type DoctorContext = {
  home: string;
  env: NodeJS.ProcessEnv;
  config: TitanConfig | undefined;
  configError: string | undefined;
  running: Client | null;
};

export type Check = (ctx: DoctorContext) => Promise<Finding | Finding[]>;

export const ok = (check: string, message: string): Finding => ({ check, status: 'ok', message });

/** A check's own failure (it threw) is a finding too, never a crash of the whole report. */
export async function runChecks(checks: Check[], ctx: DoctorContext): Promise<Finding[]> {
  const results = await Promise.all(
    checks.map(async (check) => {
      try {
        return [await check(ctx)].flat();
      } catch (error) {
        return [{ check: check.name, status: 'fail' as const, message: `the check itself failed: ${(error as Error).message}` }];
      }
    }),
  );
  return results.flat();
}

/** Runs the repairs of the findings that have one; each finding then says what was done. */
export async function repairAll(findings: Finding[]): Promise<Array<Finding & { repaired?: string }>> {
  const out: Array<Finding & { repaired?: string }> = [];
  for (const finding of findings) {
    if (finding.status === 'ok' || !finding.repair) {
      out.push(finding);
      continue;
    }
    try {
      out.push({ ...finding, repaired: await finding.repair() });
    } catch (error) {
      out.push({ ...finding, repaired: `not repaired: ${(error as Error).message}` });
    }
  }
  return out;
}
