// `titan mesh ...` as a user runs it: against a home with no kernel running (peer id, allowlist
// file, key file), and against running nodes through their control sockets (peers, deny).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempHome } from '../support/kernel.ts';
import { spawnNode, until } from './support/cluster.ts';

const TITAN = fileURLToPath(new URL('../../bin/titan.js', import.meta.url));
const run = promisify(execFile);

async function titan(home: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [TITAN, ...args], { env: { ...process.env, TITAN_HOME: home } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('offline: the peer id stays the same, allow/deny edit the allowlist, keygen writes a key once', async (t) => {
  const { home, cleanup } = await tempHome('titan-mesh-cli-');
  t.after(cleanup);
  const { home: other, cleanup: cleanupOther } = await tempHome('titan-mesh-cli-');
  t.after(cleanupOther);
  const first = JSON.parse((await titan(home, 'mesh', 'status', '--json')).stdout) as { id: string; running: boolean; enabled: boolean };
  assert.match(first.id, /^12D3KooW/);
  assert.equal(first.running, false);
  assert.equal(first.enabled, false);
  assert.equal(JSON.parse((await titan(home, 'mesh', 'status', '--json')).stdout).id, first.id);

  const bad = await titan(home, 'mesh', 'allow', 'not-a-peer');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^TITAN_E_MESH_PEER_INVALID: /);
  const peer = JSON.parse((await titan(other, 'mesh', 'status', '--json')).stdout).id as string;
  assert.match((await titan(home, 'mesh', 'allow', peer)).stdout, new RegExp(`allowed ${peer}`));
  assert.deepEqual(JSON.parse(await readFile(path.join(home, 'mesh', 'allowlist.json'), 'utf8')), { peers: [peer] });
  await titan(home, 'mesh', 'deny', peer);
  assert.deepEqual(JSON.parse(await readFile(path.join(home, 'mesh', 'allowlist.json'), 'utf8')), { peers: [] });

  const key = path.join(home, 'swarm.key');
  assert.equal((await titan(home, 'mesh', 'keygen', key)).code, 0);
  assert.match(await readFile(key, 'utf8'), /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}/);
  const again = await titan(home, 'mesh', 'keygen', key);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /a key is never overwritten/);
  assert.match((await titan(home, 'mesh', 'peers')).stderr, /^TITAN_E_MESH_DISABLED: /);
});

test('against running nodes: allow admits a peer at once, peers lists it, deny drops it at once', async (t) => {
  const a = await spawnNode(t);
  const b = await spawnNode(t, { settings: { allowlist: [a.id], bootstrap: [a.tcp] } });
  assert.match((await titan(a.home, 'mesh', 'allow', b.id)).stdout, new RegExp(`allowed ${b.id}`));
  await until('a hears b', async () => (JSON.parse((await titan(a.home, 'mesh', 'peers', '--json')).stdout) as unknown[]).length === 1);
  const peers = JSON.parse((await titan(a.home, 'mesh', 'peers', '--json')).stdout) as Array<{ id: string; connected: boolean }>;
  assert.deepEqual(
    peers.map((p) => [p.id, p.connected]),
    [[b.id, true]],
  );
  const status = await titan(a.home, 'mesh', 'status');
  assert.match(status.stdout, new RegExp(`peer id   ${a.id}`));
  assert.match(status.stdout, /peers {5}1 /);

  assert.equal((await titan(a.home, 'mesh', 'deny', b.id)).code, 0);
  await until('a no longer hears b', async () => (JSON.parse((await titan(a.home, 'mesh', 'peers', '--json')).stdout) as unknown[]).length === 0);
  // b cannot come back while denied.
  await assert.rejects(b.request({ op: 'dial', address: a.tcp }), (error: Error & { code?: string }) => error.code === 'TITAN_E_MESH_UNREACHABLE');
});
