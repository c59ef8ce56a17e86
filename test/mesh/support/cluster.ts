// Spawns mesh nodes as child processes (test/mesh/support/mesh-node.ts) and talks to them over
// IPC. Every node is killed when the test ends, whatever happened.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MeshSettings } from '../../../mesh/mesh.ts';
import { createServer } from 'node:net';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { loadOrCreateIdentity } from '../../../mesh/identity.ts';
import { buildFixture } from '../../support/fixtures.ts';
import { tempHome } from '../../support/kernel.ts';
import type { Command, NodeSpec } from './mesh-node.ts';

const SCRIPT = fileURLToPath(new URL('./mesh-node.ts', import.meta.url));
export const BUSY = fileURLToPath(new URL('../fixtures/busy', import.meta.url));
const START_TIMEOUT_MS = 30_000;

/** A test's context, or anything else that runs cleanups at its end (the benchmark). */
export type Cleanups = { after(fn: () => Promise<void> | void): void };

export type TestNode = {
  id: string;
  addrs: string[];
  home: string;
  child: ChildProcess;
  /** The TCP address with /p2p/<id>, for bootstrap lists. */
  tcp: string;
  request<T = unknown>(command: Command, timeoutMs?: number): Promise<T>;
  executions(): Promise<{ started: string[]; done: string[] }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
};

export type NodeOptions = { fixtures?: string[]; settings?: Partial<MeshSettings>; tamper?: boolean; netns?: string };
export type Prepared = { home: string; cleanup(): Promise<void>; id: string; tcp: string };

/** A home with its identity made and a free TCP port: the node's address is known before it starts. */
export async function prepare(): Promise<Prepared> {
  const { home, cleanup } = await tempHome('titan-mesh-');
  const id = peerIdFromPrivateKey(await loadOrCreateIdentity(home)).toString();
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  return { home, cleanup, id, tcp: `/ip4/127.0.0.1/tcp/${port}/p2p/${id}` };
}

/** `netns`: run the node inside that network namespace (`ip netns exec`). */
export async function spawnNode(t: Cleanups, options: NodeOptions = {}, prepared?: Prepared): Promise<TestNode> {
  for (const dir of options.fixtures ?? []) await buildFixture(dir); // compiled once, here, not by every child
  const { home, cleanup } = prepared ?? (await tempHome('titan-mesh-'));
  const spec: NodeSpec = { home, fixtures: options.fixtures ?? [], settings: options.settings ?? {}, tamper: options.tamper };
  // TITAN_MESH_NODE_ARGS: extra Node flags for the nodes (e.g. --cpu-prof when profiling the benchmark).
  const execArgv = ['--disable-warning=ExperimentalWarning', ...(process.env.TITAN_MESH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const env = { ...process.env, TITAN_MESH_TEST_NODE: JSON.stringify(spec) };
  const child = options.netns
    ? spawn('ip', ['netns', 'exec', options.netns, process.execPath, ...execArgv, SCRIPT], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : fork(SCRIPT, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await cleanup();
  });
  let seq = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  child.on('message', (message: { seq: number; ok: boolean; value?: unknown; error?: { code?: string; message: string } }) => {
    const waiter = pending.get(message.seq);
    pending.delete(message.seq);
    if (message.ok) waiter?.resolve(message.value);
    else waiter?.reject(Object.assign(new Error(message.error?.message), { code: message.error?.code }));
  });
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error('the node exited'));
    pending.clear();
  });
  const ready = await new Promise<{ id: string; addrs: string[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('a mesh node did not start in time')), START_TIMEOUT_MS);
    pending.set(0, {
      resolve: (v) => {
        clearTimeout(timer);
        resolve(v as { id: string; addrs: string[] });
      },
      reject,
    });
  });
  const request = <T>(command: Command, timeoutMs = 20_000) =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`node ${ready.id.slice(-6)}: no answer to ${command.op} in ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send({ seq: id, command });
    });
  return {
    ...ready,
    home,
    child,
    request,
    tcp: ready.addrs.find((a) => a.includes('/tcp/'))!,
    async executions() {
      const text = await readFile(path.join(home, 'executions.log'), 'utf8').catch(() => '');
      const lines = text.split('\n').filter(Boolean);
      return {
        started: lines.filter((l) => l.startsWith('start ')).map((l) => l.slice(6)),
        done: lines.filter((l) => l.startsWith('done ')).map((l) => l.slice(5)),
      };
    },
    async kill(signal = 'SIGKILL') {
      child.kill(signal);
      await exited;
    },
  };
}

/** Polls until `check` passes (returns true) or the time runs out. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * `specs.length` nodes that all admit each other (by config), joined through the first, each seeing
 * every other. Identities and ports are made first, so all nodes start at once.
 */
export async function startMesh(t: Cleanups, specs: NodeOptions[]): Promise<TestNode[]> {
  const homes = await Promise.all(specs.map(() => prepare()));
  const nodes = await Promise.all(
    specs.map((spec, i) =>
      spawnNode(
        t,
        {
          ...spec,
          settings: {
            listen: [homes[i].tcp.replace(/\/p2p\/.*$/, ''), '/ip4/127.0.0.1/udp/0/quic-v1'],
            allowlist: homes.filter((_, j) => j !== i).map((h) => h.id),
            bootstrap: i === 0 ? [] : [homes[0].tcp],
            ...spec.settings,
          },
        },
        homes[i],
      ),
    ),
  );
  await until('every node sees every other', async () => {
    for (const node of nodes) {
      const peers = await node.request<Array<{ id: string; connected: boolean }>>({ op: 'peers' });
      if (peers.filter((p) => p.connected).length < nodes.length - 1) return false;
    }
    return true;
  });
  return nodes;
}
