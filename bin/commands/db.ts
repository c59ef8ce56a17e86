// `titan db migrate|status|export|import`: the kernel's database, through its store component.
import { TitanError } from '../../common/errors.ts';
import { bootstrapBuiltins } from '../../kernel/api.ts';
import { openKernel } from '../config.ts';
import { exportDatabase, importDatabase } from '../db-transfer.ts';
import { consoleProgress } from '../../toolchain/progress.ts';
import type { Args } from '../main.ts';
import { print, table } from '../output.ts';
import { showMigrations } from '../migration-progress.ts';

export async function dbCommand({ positionals, out }: Args): Promise<number> {
  const [verb, file] = positionals;
  if (!['migrate', 'status', 'export', 'import'].includes(verb ?? '')) {
    throw new TitanError('TITAN_E_USAGE', `unknown db verb "${verb ?? ''}" (migrate, status, export FILE, import FILE)`);
  }
  if ((verb === 'export' || verb === 'import') && !file) throw new TitanError('TITAN_E_USAGE', `titan db ${verb} FILE.jsonl`);
  const { kernel } = await openKernel({ config: { controlSocket: false } });
  try {
    if (!out.json) showMigrations(kernel, (line) => process.stderr.write(line + '\n'));
    // Deploying the store (from the registry, or built on first use) runs its migrations.
    const report = await bootstrapBuiltins(kernel, { progress: out.json ? undefined : consoleProgress() });
    const storeFailure = report.failed.find((f) => f.slot === `store/${kernel.config.store}`);
    if (storeFailure) throw new TitanError('TITAN_E_STORE', `the store could not start: ${storeFailure.error}`);
    switch (verb) {
      case 'migrate':
      case 'status': {
        if (verb === 'migrate') await kernel.call('store', kernel.config.store, 'migrate', []);
        const status = await kernel.store.status();
        const result = { location: kernel.db.location, store: `store/${kernel.config.store}`, ...status };
        print(out, result, () =>
          `${status.dialect} database ${kernel.db.location}, schema version ${status.version} of ${status.latest}\n` +
          table(status.applied.map((m) => ({ version: m.version, name: m.name, applied: new Date(Number(m.applied_at)).toISOString() })), ['version', 'name', 'applied']) +
          (status.pending.length ? `\npending: ${status.pending.map((m) => m.version).join(', ')}` : ''));
        return 0;
      }
      case 'export': {
        const header = await exportDatabase(kernel.store, file!, out.json ? undefined : consoleProgress());
        print(out, header, () => `exported schema version ${header.schemaVersion} (${header.dialect}) to ${file}`);
        return 0;
      }
      default: {
        const result = await importDatabase(kernel.store, file!, out.json ? undefined : consoleProgress());
        print(out, result, () => `imported ${result.rows} rows into ${result.tables} tables of ${kernel.db.location}`);
        return 0;
      }
    }
  } finally {
    await kernel.close();
  }
}
