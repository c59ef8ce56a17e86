// Test support for the store suites: a kernel whose store component serves on either backend (the
// embedded libSQL file or a database in a throwaway PostgreSQL cluster), restarts on the same
// database, a PostgreSQL server that can be stopped and started again under the kernel's feet, and
// whole-database snapshots through the store's own dump operations.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootstrapBuiltins } from '../../kernel/bootstrap.ts';
import { Kernel } from '../../kernel/kernel.ts';
import type { StoreClient } from '../../kernel/store-client.ts';
import { TEST_CACHE, tempHome } from './kernel.ts';
import { createDatabase, startPostgres, type PostgresCluster } from './postgres.ts';

export type Backend = 'libsql' | 'postgres';
export const BACKENDS: readonly Backend[] = ['libsql', 'postgres'];

/** The store's latest schema version, read from its migrations' markers (/* migration N *\/). */
export const LATEST_SCHEMA = Math.max(
  ...[
    ...readFileSync(fileURLToPath(new URL('../../components/stores/core/migrations.js', import.meta.url)), 'utf8').matchAll(/\/\* migration (\d+) \*\//g),
  ].map((m) => Number(m[1])),
);
export const DIALECT: Record<Backend, string> = { libsql: 'sqlite', postgres: 'postgres' };

// ---- PostgreSQL ------------------------------------------------------------------------------

/**
 * A throwaway cluster (see postgres.ts) that hands out one fresh database per kernel, and whose
 * server can be stopped and started again on the same port and data.
 */
export class PostgresServer {
  readonly cluster: PostgresCluster;
  #databases = 0;

  private constructor(cluster: PostgresCluster) {
    this.cluster = cluster;
  }

  static async start(): Promise<PostgresServer> {
    return new PostgresServer(await startPostgres());
  }

  /** The URL of a new, empty database in this cluster. */
  database(prefix = 'titan'): Promise<string> {
    return createDatabase(this.cluster, `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${++this.#databases}`);
  }

  /** Stops the server (fast shutdown: open connections are cut); the data stays. */
  stopServer(): Promise<void> {
    return this.cluster.stopServer();
  }

  /** Starts the server again, on the same port and data. */
  startServer(): Promise<void> {
    return this.cluster.startServer();
  }

  stop(): Promise<void> {
    return this.cluster.stop();
  }
}

/** Starts the cluster on first use; `stop()` is a no-op if it never started. */
export function lazyPostgres(): { server(): Promise<PostgresServer>; stop(): Promise<void> } {
  let started: Promise<PostgresServer> | undefined;
  return {
    server: () => (started ??= PostgresServer.start()),
    async stop() {
      if (started) await (await started).stop();
    },
  };
}

// ---- kernels on a database -------------------------------------------------------------------

export type StoreKernel = {
  kernel: Kernel;
  home: string;
  /** TITAN_DB_URL of this kernel: file:$home/titan.db or a PostgreSQL database. */
  url: string;
  backend: Backend;
  /** Closes the kernel and opens a new one on the same home and database, serving what was deployed. */
  restart(): Promise<Kernel>;
  cleanup(): Promise<void>;
};

export function openKernelOn(home: string, url: string): Promise<Kernel> {
  return Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: { TITAN_DB_URL: url } });
}

/** A database URL for a kernel in `home`: the libSQL file in it, or a new PostgreSQL database. */
export async function databaseFor(backend: Backend, home: string, postgres?: PostgresServer, name = 'titan'): Promise<string> {
  if (backend === 'libsql') return `file:${path.join(home, 'titan.db')}`;
  if (!postgres) throw new Error('a PostgreSQL store kernel needs a PostgresServer');
  return postgres.database(name);
}

/**
 * A kernel in a fresh home on a fresh database of `backend`, with the built-ins (the core store
 * among them) deployed unless `bootstrap` is false.
 */
export async function openStoreKernel(backend: Backend, options: { postgres?: PostgresServer; name?: string; bootstrap?: boolean } = {}): Promise<StoreKernel> {
  const { home, cleanup } = await tempHome('titan-store-');
  const url = await databaseFor(backend, home, options.postgres, options.name);
  let kernel: Kernel;
  try {
    kernel = await openKernelOn(home, url);
  } catch (error) {
    await cleanup();
    throw error;
  }
  const handle: StoreKernel = {
    kernel,
    home,
    url,
    backend,
    async restart() {
      await handle.kernel.close();
      handle.kernel = await openKernelOn(home, url);
      const failures = await handle.kernel.restoreDeployments();
      if (failures.length) throw new Error(`restart could not restore ${failures.map((f) => `${f.slot}: ${f.error.message}`).join('; ')}`);
      return handle.kernel;
    },
    async cleanup() {
      await handle.kernel.close();
      await cleanup();
    },
  };
  if (options.bootstrap !== false) {
    try {
      const report = await bootstrapBuiltins(kernel);
      if (report.failed.length) throw new Error(`bootstrap failed: ${JSON.stringify(report.failed)}`);
    } catch (error) {
      await handle.cleanup();
      throw error;
    }
  }
  return handle;
}

// ---- looking at what is stored -----------------------------------------------------------------

/** Rows per table of the serving schema version. */
export async function tableCounts(store: StoreClient): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await store.op('tables.list')) counts[table] = await store.op('table.count', { table });
  return counts;
}

/** Every row of every table, in key order, through the store's dump (what an export writes). */
export async function dumpAll(store: StoreClient): Promise<Record<string, Array<Record<string, unknown>>>> {
  const dump: Record<string, Array<Record<string, unknown>>> = {};
  for (const table of await store.op('tables.list')) {
    const rows: Array<Record<string, unknown>> = [];
    for (;;) {
      const page = await store.op('table.dump', { table, offset: rows.length, limit: 5000 });
      rows.push(...page);
      if (page.length < 5000) break;
    }
    dump[table] = rows;
  }
  return dump;
}

/** counts minus before, table by table: what an operation added (+) or removed (-). */
export function countDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const change = (after[table] ?? 0) - (before[table] ?? 0);
    if (change !== 0) delta[table] = change;
  }
  return delta;
}

/** libSQL's own check of the file: 'ok' when every page and index is sound. */
export async function integrityCheck(kernel: Kernel): Promise<string> {
  const result = await kernel.db.run('PRAGMA integrity_check', []);
  return result.rows.map((row) => String(row[0])).join('\n');
}
