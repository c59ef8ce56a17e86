// A throwaway PostgreSQL cluster for tests: initdb + pg_ctl on a free port under a temp dir,
// stopped and removed afterwards. initdb refuses to run as root, so as root the cluster runs as
// the `postgres` system user in a directory that user owns.
import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

export type PostgresCluster = {
  url: string;
  port: number;
  dir: string;
  /** Stops the server (fast shutdown: open connections are cut); the data stays. */
  stopServer(): Promise<void>;
  /** Starts the server again, on the same port and data. */
  startServer(): Promise<void>;
  /** Stops the server for good and removes the cluster. */
  stop(): Promise<void>;
};

function binDir(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) if (existsSync(path.join(root, version, 'bin', 'initdb'))) return path.join(root, version, 'bin');
  }
  return ''; // rely on PATH
}

async function asClusterUser(command: string, args: string[]): Promise<void> {
  const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  if (process.getuid?.() === 0) await run('su', ['postgres', '-s', '/bin/sh', '-c', quoted]);
  else await run(command, args);
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = binDir();
  const tool = (name: string) => (bin ? path.join(bin, name) : name);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-pg-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = path.join(dir, 'data');
  const port = await freePort();
  await asClusterUser(tool('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const startServer = () =>
    asClusterUser(tool('pg_ctl'), [
      '-D',
      data,
      '-l',
      path.join(dir, 'server.log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      'start',
    ]);
  await startServer();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dir,
    startServer,
    stopServer: () => asClusterUser(tool('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']),
    async stop() {
      await asClusterUser(tool('pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database in the cluster, so suites sharing a cluster never see each other's rows. */
export async function createDatabase(cluster: PostgresCluster, name: string): Promise<string> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}
