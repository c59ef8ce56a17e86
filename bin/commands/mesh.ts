// `titan mesh status|peers|allow PEER|deny PEER|keygen FILE`: the mesh routes, on the running
// kernel's mesh; without a running mesh they edit the allowlist file it reads at start, and status
// shows this home's peer id and settings.
import { writeFile } from 'node:fs/promises';
import { TitanError } from '../../common/errors.ts';
import type { Mesh, PeerInfo } from '../../mesh/mesh.ts';
import type { OfflineMeshStatus } from '../../mesh/offline.ts';
import type { Command } from 'commander';
import { act, examples, type Args } from '../cli.ts';
import { print, table } from '../output.ts';
import { runningClient, withClient } from '../client.ts';

async function stoppedStatus(): Promise<OfflineMeshStatus> {
  const { titanHome } = await import('../../common/home.ts');
  const { loadTitanConfig } = await import('../config.ts');
  const { offlineMeshStatus } = await import('../../mesh/offline.ts');
  return offlineMeshStatus(titanHome(), (await loadTitanConfig()).config.mesh);
}

type Status = ReturnType<Mesh['status']>;

function describeStatus(s: Status): string {
  const rt = s.roundTrip.count ? `, round trip p50 ${s.roundTrip.p50Ms} ms p99 ${s.roundTrip.p99Ms} ms` : '';
  return [
    `peer id   ${s.id}`,
    `listening ${s.addrs.join(' ')}`,
    `peers     ${s.peers} (${s.connections} connections)${s.privateNetwork ? ', private network (psk)' : ''}${s.mdns ? ', mDNS on' : ''}`,
    `slots     ${s.slots} (running ${s.running.local} own, ${s.running.forPeers} for peers; ${s.queued} queued, ${s.waiting} waiting on peers)`,
    `tasks     sent ${s.tasks.sent}, received ${s.tasks.received}, local ${s.tasks.localRuns}, fallbacks ${s.tasks.fallbacks}, re-sent ${s.tasks.redispatched}, duplicates suppressed ${s.tasks.duplicatesSuppressed}${rt}`,
    `reflexes  builds offered ${s.reflexBuilds.offered}, built by peers ${s.reflexBuilds.builtByPeers}, built here ${s.reflexBuilds.builtHere} (fallbacks ${s.reflexBuilds.fallbacks}, rejected ${s.reflexBuilds.rejected}), built for peers ${s.reflexBuilds.builtForPeers}${s.reflexBuilds.toolchain ? '' : ' (no toolchain: builds none for peers)'}`,
    `embedding batches offered ${s.embeddingBatches.offered}, embedded by peers ${s.embeddingBatches.embeddedByPeers}, here ${s.embeddingBatches.embeddedHere} (fallbacks ${s.embeddingBatches.fallbacks}, rejected ${s.embeddingBatches.rejected}), for peers ${s.embeddingBatches.embeddedForPeers}${s.embeddingBatches.serving ? ` (serving ${s.embeddingBatches.serving.model})` : ''}`,
    `allowlist ${s.allowlist.length ? s.allowlist.join(' ') : '(empty)'}`,
  ].join('\n');
}

const ask = <T>(method: 'GET' | 'POST', route: string, body?: unknown) => withClient((client) => client.request<T>(method, route, body));

export async function meshCommand({ positionals, out }: Args): Promise<number> {
  const [verb, target] = positionals;
  switch (verb) {
    case 'status': {
      // Without a kernel, this home's key and config answer (as the route does for a kernel whose mesh is off).
      const client = await runningClient();
      const status = client ? await client.request<Status | OfflineMeshStatus>('GET', '/api/mesh/status') : await stoppedStatus();
      if (status.running === false) {
        const off = status;
        print(
          out,
          off,
          () =>
            `peer id   ${off.id}\nmesh      not running (${off.enabled ? 'enabled: starts with `titan start`' : 'off: set "mesh": { "enabled": true } or TITAN_MESH=true'})\nlisten    ${off.listen.join(' ')}`,
        );
      } else print(out, status, () => describeStatus(status));
      return 0;
    }
    case 'peers': {
      const { peers } = await ask<{ peers: PeerInfo[] }>('GET', '/api/mesh/peers');
      print(out, peers, () =>
        table(
          peers.map((p) => ({
            peer: p.id,
            connected: p.connected,
            load: p.load,
            free: `${p.freeSlots}/${p.slots}`,
            seen: `${p.lastSeenMs} ms ago`,
            components: p.components.map((c) => `${c.kind}/${c.name}@${c.version}`).join(' '),
          })),
          ['peer', 'connected', 'load', 'free', 'seen', 'components'],
        ),
      );
      return 0;
    }
    case 'allow':
    case 'deny': {
      if (!target) throw new TitanError('TITAN_E_USAGE', `titan mesh ${verb} PEER_ID`);
      // Without a running mesh, the allowlist file it reads at start is edited.
      const result = await ask<{ allowlist: string[]; stillInConfig?: boolean }>('POST', `/api/mesh/${verb}`, { peer: target });
      print(
        out,
        result,
        () =>
          `${verb === 'allow' ? 'allowed' : 'denied'} ${target}${result.stillInConfig ? ' (still allowed by mesh.allowlist in config.json)' : ''}; allowlist: ${result.allowlist.join(' ') || '(empty)'}`,
      );
      return 0;
    }
    case 'keygen': {
      if (!target) throw new TitanError('TITAN_E_USAGE', 'titan mesh keygen FILE');
      const { generateKey } = await import('@libp2p/pnet');
      const key = new Uint8Array(95);
      generateKey(key);
      await writeFile(target, key, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
        throw new TitanError('TITAN_E_USAGE', `cannot write ${target}: ${error.code === 'EEXIST' ? 'it exists (a key is never overwritten)' : error.message}`);
      });
      print(out, { file: target }, () => `wrote a mesh key to ${target}: copy it to every node and set meshPskFile (TITAN_MESH_PSK_FILE)`);
      return 0;
    }
    default:
      throw new TitanError('TITAN_E_USAGE', `unknown mesh verb "${verb ?? ''}" (status, peers, allow, deny, keygen)`);
  }
}

export function register(program: Command): void {
  const mesh = program.command('mesh').description("this node's mesh: peer id, addresses, peers, tasks, allowlist");
  examples(act(mesh.command('status').description('peer id, listen addresses, peers, slots and task counts'), meshCommand, ['status']), [
    'titan mesh status',
    'titan mesh status --json',
  ]);
  examples(act(mesh.command('peers').description('the peers this node knows, their load and components'), meshCommand, ['peers']), ['titan mesh peers']);
  const peer = (cmd: Command) => cmd.argument('<peer-id>', "the peer's id (titan mesh status on that node)");
  examples(act(peer(mesh.command('allow').description('admit a peer (takes effect at once)')), meshCommand, ['allow']), ['titan mesh allow 12D3KooW...']);
  examples(act(peer(mesh.command('deny').description('refuse a peer (takes effect at once)')), meshCommand, ['deny']), ['titan mesh deny 12D3KooW...']);
  examples(
    act(
      mesh
        .command('keygen')
        .description('write a pre-shared key for a private mesh (mesh.pskFile)')
        .argument('<file>', 'where to write it (never overwritten)'),
      meshCommand,
      ['keygen'],
    ),
    ['titan mesh keygen ~/.titan/swarm.key'],
  );
}
