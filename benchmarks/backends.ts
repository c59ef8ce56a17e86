// A benchmark's measurement on both store backends: a libSQL file in a temporary folder, then a
// throwaway PostgreSQL cluster; each cleaned up whatever the measurement does.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { startPostgres, type PostgresCluster } from '../test/support/postgres.ts';
import { tempDir } from './setup.ts';

export async function onBothBackends<T>(measure: (backend: string, url: string) => Promise<T>, postgresLabel = 'PostgreSQL 15'): Promise<T[]> {
  let cluster: PostgresCluster | undefined;
  const results: T[] = [];
  try {
    const dir = await tempDir('titan-bench-libsql-');
    results.push(await measure('libSQL (file)', `file:${path.join(dir, 'bench.db')}`));
    await rm(dir, { recursive: true, force: true });
    cluster = await startPostgres();
    results.push(await measure(postgresLabel, cluster.url));
  } finally {
    await cluster?.stop();
  }
  return results;
}
