// `titan doctor [--fix]`: checks the install and what it talks to, each finding with its fix;
// --fix does the safe ones (create or tighten a folder, migrate forward), never deleting data.
import type { Command } from 'commander';
import { act, examples } from '../cli.ts';

export function register(program: Command): void {
  const cmd = program
    .command('doctor')
    .description('check Node, the state directory, config, registry, database, providers, channels, mesh, disk and Docker; each problem with its fix')
    .option('--fix', 'also do the safe fixes (never deletes data)');
  examples(cmd, ['titan doctor', 'titan doctor --fix', 'titan doctor --json']);
  act(cmd, async ({ values, out }) => {
    const { report } = await import('../doctor/report.ts');
    const host = await import('../doctor/host.ts');
    const services = await import('../doctor/services.ts');
    const checks = [
      host.node,
      host.stateDir,
      host.config,
      host.disk,
      host.gatewayPort,
      host.telemetry,
      services.registry,
      services.database,
      services.providers,
      services.channels,
      services.mesh,
      services.docker,
    ];
    return report(checks, { fix: values.fix === true, out, title: 'doctor', command: 'titan doctor' });
  });
}
