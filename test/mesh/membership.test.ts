// Real libp2p nodes in separate processes on 127.0.0.1: joining by the bootstrap list, heartbeats
// carrying slots and components, a killed node marked gone, and a peer outside the allowlist
// refused at connection time; a private network admitting by its pre-shared key alone.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { generateKey } from '@libp2p/pnet';
import type { PeerInfo } from '../../mesh/mesh.ts';
import { BUSY, spawnNode, until, type TestNode } from './support/cluster.ts';

const sees = async (node: TestNode, other: TestNode) => (await node.request<PeerInfo[]>({ op: 'peers' })).find((p) => p.id === other.id);

test('nodes join by bootstrap, advertise slots and components, and a killed node is marked gone', async (t) => {
  const a = await spawnNode(t, { fixtures: [BUSY], settings: { slots: 3 } });
  const b = await spawnNode(t, { settings: { allowlist: [a.id], bootstrap: [a.tcp] } });
  await a.request({ op: 'allow', peer: b.id });
  await until('b hears a', async () => (await sees(b, a)) !== undefined);
  await until('a hears b', async () => (await sees(a, b)) !== undefined);

  const aSeenByB = (await sees(b, a))!;
  assert.equal(aSeenByB.slots, 3);
  assert.equal(aSeenByB.freeSlots, 3);
  assert.deepEqual(
    aSeenByB.components.map((c) => `${c.kind}/${c.name}@${c.version}`),
    ['tool/busy@1.0.0'],
  );
  assert.match(aSeenByB.components[0].digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(aSeenByB.connected, true);

  await b.kill('SIGKILL');
  await until('a marks b gone', async () => (await sees(a, b)) === undefined);
});

test('a node stops hearing a peer that goes silent: missed heartbeats mark it gone', async (t) => {
  const a = await spawnNode(t, { settings: { heartbeatMs: 200 } });
  const b = await spawnNode(t, { settings: { allowlist: [a.id], bootstrap: [a.tcp], heartbeatMs: 200 } });
  await a.request({ op: 'allow', peer: b.id });
  await until('a hears b', async () => (await sees(a, b)) !== undefined);
  b.child.kill('SIGSTOP'); // alive, connected, silent
  t.after(() => b.child.kill('SIGCONT'));
  await until('a marks the silent b gone', async () => (await sees(a, b)) === undefined);
  b.child.kill('SIGCONT');
});

test('a peer outside the allowlist is refused at connection time', async (t) => {
  const a = await spawnNode(t, { fixtures: [BUSY] });
  const stranger = await spawnNode(t, { settings: { allowlist: [a.id] } }); // it trusts a, a does not know it
  for (const address of [a.tcp, a.addrs.find((x) => x.includes('/quic-v1'))!]) {
    await assert.rejects(stranger.request({ op: 'dial', address }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'TITAN_E_MESH_UNREACHABLE');
      return true;
    });
  }
  type Refusals = { here: number; byPeers: number; last: Array<{ peer: string; side: string; reason: string }> };
  const status = await a.request<{ connections: number; peers: number; refusals: Refusals }>({ op: 'status' });
  assert.equal(status.connections, 0);
  assert.equal(status.peers, 0);
  // Both sides count and say why: a refused the stranger, the stranger was refused by a.
  assert.ok(status.refusals.here >= 2, JSON.stringify(status.refusals));
  assert.ok(status.refusals.last.every((r) => r.peer === stranger.id && r.side === 'here' && /not on this node's allowlist/.test(r.reason)));
  const theirs = (await stranger.request<{ refusals: Refusals }>({ op: 'status' })).refusals;
  // The dialler infers the refusal from how the handshake ended (libp2p sends no reason): over TCP
  // it is always an end of stream; a QUIC close under load can surface as an abort, which reads as
  // unreachable. So at least the TCP refusal is counted.
  assert.ok(theirs.byPeers >= 1, JSON.stringify(theirs));
  assert.ok(
    theirs.last.every((r) => r.peer === a.id && r.side === 'by-peer' && /not on its allowlist/.test(r.reason)),
    JSON.stringify(theirs),
  );
  // Once allowed, the same peer connects.
  await a.request({ op: 'allow', peer: stranger.id });
  assert.equal(await stranger.request({ op: 'dial', address: a.tcp }), a.id);
});

test('with a pre-shared key, holding the key admits a peer and another key is refused', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-psk-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const keys = [path.join(dir, 'swarm.key'), path.join(dir, 'other.key')];
  for (const file of keys) {
    const key = new Uint8Array(95);
    generateKey(key);
    await writeFile(file, key);
  }
  const a = await spawnNode(t, { settings: { pskFile: keys[0] } });
  const b = await spawnNode(t, { settings: { pskFile: keys[0], bootstrap: [a.tcp] } });
  const stranger = await spawnNode(t, { settings: { pskFile: keys[1] } });
  assert.deepEqual(
    a.addrs.filter((x) => x.includes('/quic')),
    [],
    'a private network listens on TCP only',
  );
  await until('a and b joined with the shared key alone', async () => (await sees(a, b)) !== undefined && (await sees(b, a)) !== undefined);
  // A wrong key garbles the handshake, which then stalls until libp2p gives up (6 s): 2 s is plenty to fail.
  await assert.rejects(
    stranger.request({ op: 'dial', address: a.tcp, timeoutMs: 2000 }),
    (error: Error & { code?: string }) => error.code === 'TITAN_E_MESH_UNREACHABLE',
  );
  assert.equal(await sees(a, stranger), undefined);
});
