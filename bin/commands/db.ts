// `titan db migrate|status|export|import`: the kernel's database through its store component, by
// the db routes: on the running kernel, or on one opened for the command (which deploys the store
// from the registry, building it on first use, and so runs its migrations).
import path from 'node:path';
import { TitanError } from '../../common/errors.ts';
import type { Kernel, SchemaStatus } from '../../kernel/api.ts';
import { consoleProgress } from '../../toolchain/progress.ts';
import type { Command } from 'commander';
import { act, examples, type Args } from '../cli.ts';
import { print, table, type Out } from '../output.ts';
import { showMigrations } from '../migration-progress.ts';
import { withClient } from '../client.ts';

type Status = SchemaStatus & { location: string; store: string };

/** The offline kernel's store, deployed (and migrated) with its progress on stderr. */
const deployStore = (out: Out) => async (kernel: Kernel) => {
  const { bootstrapBuiltins } = await import('../../kernel/api.ts');
  if (!out.json) showMigrations(kernel, (line) => process.stderr.write(line + '\n'));
  const report = await bootstrapBuiltins(kernel, { progress: out.json ? undefined : consoleProgress() });
  const storeFailure = report.failed.find((f) => f.slot === `store/${kernel.config.store}`);
  if (storeFailure) throw new TitanError('TITAN_E_STORE', `the store could not start: ${storeFailure.error}`);
};

export async function dbCommand({ positionals, out }: Args): Promise<number> {
  const [verb, file] = positionals;
  if (!['migrate', 'status', 'export', 'import'].includes(verb ?? '')) {
    throw new TitanError('TITAN_E_USAGE', `unknown db verb "${verb ?? ''}" (migrate, status, export FILE, import FILE)`);
  }
  if ((verb === 'export' || verb === 'import') && !file) throw new TitanError('TITAN_E_USAGE', `titan db ${verb} FILE.jsonl`);
  // The kernel may run elsewhere than here: the file is named absolutely.
  const target = file ? path.resolve(file) : '';
  return withClient(
    async (client) => {
      switch (verb) {
        case 'migrate':
        case 'status': {
          const status = await client.request<Status>(verb === 'migrate' ? 'POST' : 'GET', verb === 'migrate' ? '/api/db/migrate' : '/api/db');
          print(
            out,
            status,
            () =>
              `${status.dialect} database ${status.location}, schema version ${status.version} of ${status.latest}\n` +
              table(
                status.applied.map((m) => ({ version: m.version, name: m.name, applied: new Date(Number(m.applied_at)).toISOString() })),
                ['version', 'name', 'applied'],
              ) +
              (status.pending.length ? `\npending: ${status.pending.map((m) => m.version).join(', ')}` : ''),
          );
          return 0;
        }
        case 'export': {
          const header = await client.request<{ schemaVersion: number; dialect: string }>('POST', '/api/db/export', { file: target });
          print(out, header, () => `exported schema version ${header.schemaVersion} (${header.dialect}) to ${file}`);
          return 0;
        }
        default: {
          const { location, ...result } = await client.request<{ rows: number; tables: number; location: string }>('POST', '/api/db/import', { file: target });
          print(out, result, () => `imported ${result.rows} rows into ${result.tables} tables of ${location}`);
          return 0;
        }
      }
    },
    { prepare: deployStore(out), fromStoreFile: verb === 'status' },
  );
}

export function register(program: Command): void {
  const db = program.command('db').description("the kernel's database: schema version, migrations, moving data between libSQL and PostgreSQL");
  examples(act(db.command('migrate').description('bring the database schema forward'), dbCommand, ['migrate']), ['titan db migrate']);
  examples(act(db.command('status').description('the schema version, applied and pending migrations'), dbCommand, ['status']), ['titan db status --json']);
  const file = (cmd: Command, what: string) => cmd.argument('<file>', what);
  examples(act(file(db.command('export').description('write every table to a JSON lines file'), 'the file to write (FILE.jsonl)'), dbCommand, ['export']), [
    'titan db export backup.jsonl',
  ]);
  examples(act(file(db.command('import').description('load a JSON lines export into an empty database'), 'an export (FILE.jsonl)'), dbCommand, ['import']), [
    'TITAN_DB_URL=postgres://titan@localhost/titan titan db import backup.jsonl',
  ]);
}
