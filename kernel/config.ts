// Configuration: defaults, then $TITAN_HOME/config.json, then TITAN_* environment variables.
// Wrong types are refused with the field named; numbers out of range are clamped with a warning
// (a typo in a limit should not keep the kernel from starting, nor run it without limits).
import { Ajv } from 'ajv';
import { readJsonFile } from '../common/atomic-file.ts';
import { TitanError } from '../common/errors.ts';

export type KernelConfig = {
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Default cap of a component instance's linear memory, when its manifest names none. */
  defaultMemoryMb: number;
  /** Default instances per component, when its manifest names none. */
  maxInstances: number;
  /** Threads of the worker pool that runs components with isolation "worker". */
  workerThreads: number;
  /** Time limit of a worker call when the manifest names none. */
  defaultTimeoutMs: number;
  /** Deploy approved patches without a human (a later policy will narrow this per kind). */
  autoApprovePatches: boolean;
  /** Serve the CLI's control socket in $TITAN_HOME/run. */
  controlSocket: boolean;
  /** file:PATH (libSQL) or postgres://...; empty means $TITAN_HOME/titan.db. */
  dbUrl: string;
  /** The store component serving the kernel's data. */
  store: string;
  /** The folder tools work in and the identity files (AGENTS.md, SOUL.md...) live in; empty: $TITAN_HOME/workspace. */
  workspace: string;
  /** Start a streamed tool call as soon as its arguments are complete, before the model's message ends. */
  earlyExecution: boolean;
  /** How long a tool call waits for approval before it counts as rejected. */
  approvalTtlMs: number;
  /** Tools that run without asking, and tools that always ask, whatever they declare. */
  trustedTools: string[];
  guardedTools: string[];
  /** The gateway's address: loopback by default; port 0 picks a free port. */
  port: number;
  host: string;
  /** Origins allowed to call the REST API from a browser (CORS); empty: CORS off. */
  corsOrigins: string[];
  /** Non-loopback origins allowed to open the WebSocket (loopback origins always are). */
  allowedOrigins: string[];
  /** Requests per minute per token (a token bucket: bursts up to this many). */
  rateLimitPerMinute: number;
  /** Largest request body the gateway reads. */
  maxBodyBytes: number;
  /** Messaging channels to start (telegram, slack, discord, whatsapp); a channel whose secrets are set starts too. */
  channels: string[];
  /** Telegram: updates by webhook (/channels/telegram/webhook) or by getUpdates long polling. */
  telegramMode: 'webhook' | 'polling';
  /** The platforms' API base URLs (a test or a proxy points them elsewhere). */
  telegramApiUrl: string;
  slackApiUrl: string;
  discordApiUrl: string;
  whatsappApiUrl: string;
  /** Shortest time between two edits of a growing answer in one chat (the platforms rate-limit edits). */
  channelEditIntervalMs: number;
  /** Largest webhook body a channel reads (platform payloads are small). */
  channelMaxBodyBytes: number;
  /** The libp2p mesh (mesh/): off unless asked for. */
  meshEnabled: boolean;
  /** Multiaddrs the mesh listens on (TCP and QUIC); loopback by default, 0.0.0.0 for a LAN. */
  meshListen: string[];
  /** Multiaddrs with /p2p/<peer id> dialled at start and re-dialled while unreachable. */
  meshBootstrap: string[];
  /** Peer ids allowed to connect (besides those added with `titan mesh allow`). */
  meshAllowlist: string[];
  /** A libp2p private-network key file (swarm.key); set, only peers holding it can connect (TCP only). */
  meshPskFile: string;
  /** How often a node gossips its heartbeat; a peer silent for three intervals is gone. */
  meshHeartbeatMs: number;
  /** How long a task sent to a peer may take before it runs locally instead. */
  meshTaskTimeoutMs: number;
  /** Tasks this node runs for peers at once (its advertised slots). */
  meshSlots: number;
  /** Tasks this node may wait on at once; past it, tasks run locally. */
  meshMaxWaiters: number;
  /** Find peers on the LAN by mDNS (they still need the allowlist or the key). */
  meshMdns: boolean;
  /** Mine recurring requests and answer them from compiled reflexes (agent/reflex). */
  reflexes: boolean;
  /** Deploy a reflex that passed its precision guard without a human approving its patch. */
  reflexAutoApprove: boolean;
  /** A reflex answers only at or above this match confidence (0.5-1). */
  reflexThreshold: number;
  /** Turns a pattern needs before it is compiled. */
  reflexMinSupport: number;
  /** Cosine similarity of prompt skeletons that puts two turns in one pattern. */
  reflexSimilarity: number;
  /** Time limit of one reflex call (match or execute) in its worker; past it, the model answers. */
  reflexTimeoutMs: number;
  /** Share of reflex answers checked against the model in the background (0-1). */
  reflexCheckRate: number;
  /** Embeddings for mining and the shadow cache: "local" (hashed n-grams, no download), "provider", or "mesh" (a mesh peer's provider, else local). */
  reflexEmbeddings: 'local' | 'provider' | 'mesh';
  /** Embedding model when reflexEmbeddings is "provider". */
  reflexEmbeddingModel: string;
  /** Predict the next requests after a turn and precompute their answers with the background model. */
  shadowWorkers: boolean;
  shadowTtlMs: number;
  shadowConcurrency: number;
  /** Predictions precomputed per hour at most. */
  shadowBudgetPerHour: number;
  /** Cosine similarity a request needs to a prediction to be served from the shadow cache. */
  shadowSimilarity: number;
};

export const DEFAULT_CONFIG: KernelConfig = {
  logLevel: 'info',
  defaultMemoryMb: 64,
  maxInstances: 8,
  workerThreads: 2,
  defaultTimeoutMs: 30000,
  autoApprovePatches: false,
  controlSocket: true,
  dbUrl: '',
  store: 'core',
  workspace: '',
  earlyExecution: true,
  approvalTtlMs: 10 * 60 * 1000,
  trustedTools: [],
  guardedTools: [],
  port: 7400,
  host: '127.0.0.1',
  corsOrigins: [],
  allowedOrigins: [],
  rateLimitPerMinute: 600,
  maxBodyBytes: 1024 * 1024,
  channels: [],
  telegramMode: 'webhook',
  telegramApiUrl: 'https://api.telegram.org',
  slackApiUrl: 'https://slack.com/api',
  discordApiUrl: 'https://discord.com/api/v10',
  whatsappApiUrl: 'https://graph.facebook.com/v21.0',
  channelEditIntervalMs: 1000,
  channelMaxBodyBytes: 256 * 1024,
  meshEnabled: false,
  meshListen: ['/ip4/127.0.0.1/tcp/7410', '/ip4/127.0.0.1/udp/7410/quic-v1'],
  meshBootstrap: [],
  meshAllowlist: [],
  meshPskFile: '',
  meshHeartbeatMs: 1000,
  meshTaskTimeoutMs: 30000,
  meshSlots: 8,
  meshMaxWaiters: 50000,
  meshMdns: false,
  reflexes: true,
  reflexAutoApprove: true,
  reflexThreshold: 0.8,
  reflexMinSupport: 3,
  reflexSimilarity: 0.5,
  reflexTimeoutMs: 250,
  reflexCheckRate: 0.05,
  reflexEmbeddings: 'local',
  reflexEmbeddingModel: 'text-embedding-3-small',
  shadowWorkers: true,
  shadowTtlMs: 5 * 60 * 1000,
  shadowConcurrency: 2,
  shadowBudgetPerHour: 60,
  shadowSimilarity: 0.75,
};

const CLAMPS: Partial<Record<keyof KernelConfig, [number, number]>> = {
  defaultMemoryMb: [8, 4096],
  maxInstances: [1, 256],
  workerThreads: [1, 32],
  defaultTimeoutMs: [10, 600000],
  approvalTtlMs: [1000, 7 * 24 * 3600 * 1000],
  port: [0, 65535],
  rateLimitPerMinute: [1, 1_000_000],
  maxBodyBytes: [1024, 64 * 1024 * 1024],
  channelEditIntervalMs: [0, 60000],
  channelMaxBodyBytes: [1024, 16 * 1024 * 1024],
  meshHeartbeatMs: [100, 60000],
  meshTaskTimeoutMs: [100, 600000],
  meshSlots: [0, 1024],
  meshMaxWaiters: [1, 1_000_000],
  reflexThreshold: [0.5, 1],
  reflexMinSupport: [2, 1000],
  reflexSimilarity: [0.1, 1],
  reflexTimeoutMs: [10, 60000],
  reflexCheckRate: [0, 1],
  shadowTtlMs: [1000, 24 * 3600 * 1000],
  shadowConcurrency: [1, 16],
  shadowBudgetPerHour: [0, 100000],
  shadowSimilarity: [0.5, 1],
};

const ENV: Record<string, keyof KernelConfig> = {
  TITAN_LOG_LEVEL: 'logLevel',
  TITAN_DEFAULT_MEMORY_MB: 'defaultMemoryMb',
  TITAN_MAX_INSTANCES: 'maxInstances',
  TITAN_WORKER_THREADS: 'workerThreads',
  TITAN_DEFAULT_TIMEOUT_MS: 'defaultTimeoutMs',
  TITAN_AUTO_APPROVE_PATCHES: 'autoApprovePatches',
  TITAN_CONTROL_SOCKET: 'controlSocket',
  TITAN_DB_URL: 'dbUrl',
  TITAN_STORE: 'store',
  TITAN_WORKSPACE: 'workspace',
  TITAN_EARLY_EXECUTION: 'earlyExecution',
  TITAN_APPROVAL_TTL_MS: 'approvalTtlMs',
  TITAN_PORT: 'port',
  TITAN_HOST: 'host',
  TITAN_RATE_LIMIT: 'rateLimitPerMinute',
  TITAN_TELEGRAM_MODE: 'telegramMode',
  TITAN_TELEGRAM_API_URL: 'telegramApiUrl',
  TITAN_SLACK_API_URL: 'slackApiUrl',
  TITAN_DISCORD_API_URL: 'discordApiUrl',
  TITAN_WHATSAPP_API_URL: 'whatsappApiUrl',
  TITAN_CHANNEL_EDIT_INTERVAL_MS: 'channelEditIntervalMs',
  TITAN_MESH: 'meshEnabled',
  TITAN_MESH_LISTEN: 'meshListen',
  TITAN_MESH_BOOTSTRAP: 'meshBootstrap',
  TITAN_MESH_ALLOW: 'meshAllowlist',
  TITAN_MESH_PSK_FILE: 'meshPskFile',
  TITAN_MESH_HEARTBEAT_MS: 'meshHeartbeatMs',
  TITAN_MESH_TASK_TIMEOUT_MS: 'meshTaskTimeoutMs',
  TITAN_MESH_SLOTS: 'meshSlots',
  TITAN_MESH_MAX_WAITERS: 'meshMaxWaiters',
  TITAN_MESH_MDNS: 'meshMdns',
  TITAN_REFLEXES: 'reflexes',
  TITAN_REFLEX_AUTO_APPROVE: 'reflexAutoApprove',
  TITAN_REFLEX_THRESHOLD: 'reflexThreshold',
  TITAN_REFLEX_EMBEDDINGS: 'reflexEmbeddings',
  TITAN_SHADOW_WORKERS: 'shadowWorkers',
};

/** Lists given in an environment variable are comma-separated. */
const ENV_LISTS = new Set<keyof KernelConfig>(['meshListen', 'meshBootstrap', 'meshAllowlist']);

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    logLevel: { enum: ['debug', 'info', 'warn', 'error'] },
    defaultMemoryMb: { type: 'integer' },
    maxInstances: { type: 'integer' },
    workerThreads: { type: 'integer' },
    defaultTimeoutMs: { type: 'integer' },
    autoApprovePatches: { type: 'boolean' },
    controlSocket: { type: 'boolean' },
    dbUrl: { type: 'string' },
    store: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' },
    workspace: { type: 'string' },
    earlyExecution: { type: 'boolean' },
    approvalTtlMs: { type: 'integer' },
    trustedTools: { type: 'array', items: { type: 'string' } },
    guardedTools: { type: 'array', items: { type: 'string' } },
    port: { type: 'integer' },
    host: { type: 'string', minLength: 1 },
    corsOrigins: { type: 'array', items: { type: 'string' } },
    allowedOrigins: { type: 'array', items: { type: 'string' } },
    rateLimitPerMinute: { type: 'integer' },
    maxBodyBytes: { type: 'integer' },
    channels: { type: 'array', items: { enum: ['telegram', 'slack', 'discord', 'whatsapp'] } },
    telegramMode: { enum: ['webhook', 'polling'] },
    telegramApiUrl: { type: 'string', pattern: '^https?://' },
    slackApiUrl: { type: 'string', pattern: '^https?://' },
    discordApiUrl: { type: 'string', pattern: '^https?://' },
    whatsappApiUrl: { type: 'string', pattern: '^https?://' },
    channelEditIntervalMs: { type: 'integer' },
    channelMaxBodyBytes: { type: 'integer' },
    meshEnabled: { type: 'boolean' },
    meshListen: { type: 'array', items: { type: 'string', pattern: '^/' } },
    meshBootstrap: { type: 'array', items: { type: 'string', pattern: '^/.*/p2p/[1-9A-HJ-NP-Za-km-z]+$' } },
    meshAllowlist: { type: 'array', items: { type: 'string', pattern: '^[1-9A-HJ-NP-Za-km-z]{40,60}$' } },
    meshPskFile: { type: 'string' },
    meshHeartbeatMs: { type: 'integer' },
    meshTaskTimeoutMs: { type: 'integer' },
    meshSlots: { type: 'integer' },
    meshMaxWaiters: { type: 'integer' },
    meshMdns: { type: 'boolean' },
    reflexes: { type: 'boolean' },
    reflexAutoApprove: { type: 'boolean' },
    reflexThreshold: { type: 'number' },
    reflexMinSupport: { type: 'integer' },
    reflexSimilarity: { type: 'number' },
    reflexTimeoutMs: { type: 'integer' },
    reflexCheckRate: { type: 'number' },
    reflexEmbeddings: { enum: ['local', 'provider', 'mesh'] },
    reflexEmbeddingModel: { type: 'string', minLength: 1 },
    shadowWorkers: { type: 'boolean' },
    shadowTtlMs: { type: 'integer' },
    shadowConcurrency: { type: 'integer' },
    shadowBudgetPerHour: { type: 'integer' },
    shadowSimilarity: { type: 'number' },
    // Sections owned and validated by other parts (agent/mcp/config.ts): the kernel only lets them through.
    mcp: { type: 'object' },
  },
};
const validate = new Ajv({ allErrors: true, coerceTypes: true }).compile(schema);

export type LoadedConfig = { config: KernelConfig; warnings: string[] };

export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env, overrides: Partial<KernelConfig> = {}): Promise<LoadedConfig> {
  let fromFile: Record<string, unknown>;
  try {
    fromFile = await readJsonFile<Record<string, unknown>>(file, {});
  } catch (error) {
    throw new TitanError('TITAN_E_CONFIG_INVALID', `${file} is not valid JSON: ${(error as Error).message}`);
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV)) if (env[name] !== undefined && env[name] !== '') fromEnv[key] = env[name];
  for (const key of ENV_LISTS) if (typeof fromEnv[key] === 'string') fromEnv[key] = (fromEnv[key] as string).split(',').map((s) => s.trim()).filter(Boolean);
  // Switches in the environment read as people write them: TITAN_MESH=1, =yes and =on are true.
  for (const [key, value] of Object.entries(fromEnv)) {
    if (typeof DEFAULT_CONFIG[key as keyof KernelConfig] !== 'boolean' || typeof value !== 'string') continue;
    const word = value.trim().toLowerCase();
    if (['1', 'yes', 'on'].includes(word)) fromEnv[key] = true;
    else if (['0', 'no', 'off'].includes(word)) fromEnv[key] = false;
  }

  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG, ...fromFile, ...fromEnv, ...overrides };
  if (!validate(merged)) {
    const why = (validate.errors ?? []).map((e) => `${e.instancePath.slice(1) || e.params && JSON.stringify(e.params)} ${e.message}`).join('; ');
    throw new TitanError('TITAN_E_CONFIG_INVALID', `configuration (${file} and TITAN_* variables): ${why}`);
  }
  const config = merged as KernelConfig;
  const warnings: string[] = [];
  for (const [key, [min, max]] of Object.entries(CLAMPS) as Array<[keyof KernelConfig, [number, number]]>) {
    const value = config[key] as number;
    const clamped = Math.min(max, Math.max(min, value));
    if (clamped !== value) {
      warnings.push(`config ${key}=${value} is outside ${min}..${max}; using ${clamped}`);
      (config as Record<string, unknown>)[key] = clamped;
    }
  }
  return { config, warnings };
}
