// Two nodes in separate network namespaces joined by a veth pair: the mesh crosses a real network
// stack (not loopback) over TCP and QUIC, and find each other by mDNS on that link. Needs root and `ip netns`; skipped, saying why, elsewhere.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { PeerInfo } from '../../mesh/mesh.ts';
import { BUSY, prepare, spawnNode, until } from './support/cluster.ts';

const run = promisify(execFile);
const ip = (...args: string[]) => run('ip', args);
const tag = `${process.pid % 100000}`;
const NS = [`titan-mesh-${tag}-a`, `titan-mesh-${tag}-b`];
const VETH = [`tm${tag}a`, `tm${tag}b`];
const SUBNET = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
const ADDRS = [`${SUBNET}.1`, `${SUBNET}.2`];

async function setUpNetwork(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    for (const ns of NS) await ip('netns', 'add', ns);
  } catch (error) {
    await tearDownNetwork();
    return `ip netns add is not permitted here: ${(error as Error).message.split('\n')[0]}`;
  }
  await ip('link', 'add', VETH[0], 'type', 'veth', 'peer', 'name', VETH[1]);
  for (const i of [0, 1]) {
    await ip('link', 'set', VETH[i], 'netns', NS[i]);
    await ip('-n', NS[i], 'addr', 'add', `${ADDRS[i]}/24`, 'dev', VETH[i]);
    await ip('-n', NS[i], 'link', 'set', VETH[i], 'up');
    await ip('-n', NS[i], 'link', 'set', 'lo', 'up');
    await ip('-n', NS[i], 'route', 'add', '224.0.0.0/4', 'dev', VETH[i]); // mDNS multicast goes over the link
  }
  return undefined;
}

async function tearDownNetwork(): Promise<void> {
  for (const ns of NS) await ip('netns', 'del', ns).catch(() => {}); // the veth pair goes with them
}

test('nodes in two network namespaces join over veth and share a task, over TCP and QUIC', async (t) => {
  const skip = await setUpNetwork();
  if (skip) {
    console.log(`# netns mesh test skipped: ${skip}`);
    t.skip(skip);
    return;
  }
  t.after(tearDownNetwork); // a namespace's processes keep it alive until they are killed too
  const listen = (i: number) => [`/ip4/${ADDRS[i]}/tcp/0`, `/ip4/${ADDRS[i]}/udp/0/quic-v1`];
  const a = await spawnNode(t, { netns: NS[0], fixtures: [BUSY], settings: { listen: listen(0) } });
  const b = await spawnNode(t, { netns: NS[1], settings: { listen: listen(1), allowlist: [a.id], bootstrap: [a.tcp] } });
  await a.request({ op: 'allow', peer: b.id });
  await until('b hears a across the veth pair', async () => (await b.request<PeerInfo[]>({ op: 'peers' })).some((p) => p.id === a.id && p.connected));
  assert.ok(a.tcp.startsWith(`/ip4/${ADDRS[0]}/tcp/`));
  const quic = a.addrs.find((x) => x.includes('/quic-v1'))!;
  assert.equal(await b.request({ op: 'dial', address: quic }), a.id);

  const [result] = await b.request<Array<{ ok: boolean; node: string; value: string }>>({
    op: 'submit',
    request: { name: 'busy', args: [JSON.stringify({ tag: 'veth', ms: 1 })] },
  });
  assert.equal(result.ok, true);
  assert.equal(result.node, a.id);
  assert.deepEqual((await a.executions()).started, ['veth']);
});

test('on one link, nodes with mDNS on find each other without a bootstrap list', async (t) => {
  const skip = await setUpNetwork();
  if (skip) {
    console.log(`# netns mDNS test skipped: ${skip}`);
    t.skip(skip);
    return;
  }
  t.after(tearDownNetwork);
  const listen = (i: number) => [`/ip4/${ADDRS[i]}/tcp/0`];
  const homes = [await prepare(), await prepare()]; // identities first: each allowlist names the other from the start
  const [a, b] = await Promise.all(
    [0, 1].map((i) => spawnNode(t, { netns: NS[i], settings: { listen: listen(i), mdns: true, allowlist: [homes[1 - i].id] } }, homes[i])),
  );
  await until(
    'a and b found each other by mDNS',
    async () =>
      (await a.request<PeerInfo[]>({ op: 'peers' })).some((p) => p.id === b.id) && (await b.request<PeerInfo[]>({ op: 'peers' })).some((p) => p.id === a.id),
  );
});
