// The mesh's section of the configuration ({ "mesh": { ... } }): whether this node joins a mesh,
// where it listens, whom it dials and admits, and how it shares work. Apart from mesh.ts so that
// reading it does not load libp2p.
import { defineSection } from '../common/config-section.ts';

export type MeshConfig = {
  /** The libp2p mesh: off unless asked for. */
  enabled: boolean;
  /** Multiaddrs the mesh listens on (TCP and QUIC); loopback by default, 0.0.0.0 for a LAN. */
  listen: string[];
  /** Multiaddrs with /p2p/<peer id> dialled at start and re-dialled while unreachable. */
  bootstrap: string[];
  /** Peer ids allowed to connect (besides those added with `titan mesh allow`). */
  allowlist: string[];
  /** A libp2p private-network key file (swarm.key); set, only peers holding it can connect (TCP only). */
  pskFile: string;
  /** How often a node gossips its heartbeat; a peer silent for three intervals is gone. */
  heartbeatMs: number;
  /** How long a task sent to a peer may take before it runs locally instead. */
  taskTimeoutMs: number;
  /** Tasks this node runs for peers at once (its advertised slots). */
  slots: number;
  /** Tasks this node may wait on at once; past it, tasks run locally. */
  maxWaiters: number;
  /** Find peers on the LAN by mDNS (they still need the allowlist or the key). */
  mdns: boolean;
};

export const meshSection = defineSection<'mesh', MeshConfig>({
  name: 'mesh',
  defaults: {
    enabled: false,
    listen: ['/ip4/127.0.0.1/tcp/7410', '/ip4/127.0.0.1/udp/7410/quic-v1'],
    bootstrap: [],
    allowlist: [],
    pskFile: '',
    heartbeatMs: 1000,
    taskTimeoutMs: 30000,
    slots: 8,
    maxWaiters: 50000,
    mdns: false,
  },
  schema: {
    enabled: { type: 'boolean' },
    listen: { type: 'array', items: { type: 'string', pattern: '^/' } },
    bootstrap: { type: 'array', items: { type: 'string', pattern: '^/.*/p2p/[1-9A-HJ-NP-Za-km-z]+$' } },
    allowlist: { type: 'array', items: { type: 'string', pattern: '^[1-9A-HJ-NP-Za-km-z]{40,60}$' } },
    pskFile: { type: 'string' },
    heartbeatMs: { type: 'integer' },
    taskTimeoutMs: { type: 'integer' },
    slots: { type: 'integer' },
    maxWaiters: { type: 'integer' },
    mdns: { type: 'boolean' },
  },
  clamps: {
    heartbeatMs: [100, 60000],
    taskTimeoutMs: [100, 600000],
    slots: [0, 1024],
    maxWaiters: [1, 1_000_000],
  },
  env: {
    TITAN_MESH: 'enabled',
    TITAN_MESH_LISTEN: 'listen',
    TITAN_MESH_BOOTSTRAP: 'bootstrap',
    TITAN_MESH_ALLOW: 'allowlist',
    TITAN_MESH_PSK_FILE: 'pskFile',
    TITAN_MESH_HEARTBEAT_MS: 'heartbeatMs',
    TITAN_MESH_TASK_TIMEOUT_MS: 'taskTimeoutMs',
    TITAN_MESH_SLOTS: 'slots',
    TITAN_MESH_MAX_WAITERS: 'maxWaiters',
    TITAN_MESH_MDNS: 'mdns',
  },
  flat: {
    meshEnabled: 'enabled',
    meshListen: 'listen',
    meshBootstrap: 'bootstrap',
    meshAllowlist: 'allowlist',
    meshPskFile: 'pskFile',
    meshHeartbeatMs: 'heartbeatMs',
    meshTaskTimeoutMs: 'taskTimeoutMs',
    meshSlots: 'slots',
    meshMaxWaiters: 'maxWaiters',
    meshMdns: 'mdns',
  },
});
