// `titan security audit [--fix]`: file modes of keys and tokens, the gateway's exposure, broad or
// unsigned components, and secrets left in plain text; --fix only tightens file modes.
import type { Command } from 'commander';
import { act, examples } from '../cli.ts';

export function register(program: Command): void {
  const security = program.command('security').description("audit this install's security settings");
  const audit = security
    .command('audit')
    .description('token and key file modes, gateway beyond loopback without TLS, broad or unsigned components, secrets in config or environment')
    .option('--fix', 'also tighten the file modes (chmod 600 / 700); nothing else is changed');
  examples(audit, ['titan security audit', 'titan security audit --fix', 'titan security audit --json']);
  act(audit, async ({ values, out }) => {
    const { report } = await import('../doctor/report.ts');
    const checks = await import('../doctor/audit.ts');
    return report([checks.fileModes, checks.gatewayExposure, checks.capabilities, checks.signatures, checks.plaintextSecrets], {
      fix: values.fix === true,
      out,
      title: 'security audit',
      command: 'titan security audit',
    });
  });
}
