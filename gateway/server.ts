// startGateway: the HTTP server (REST, SSE, /metrics, /v1) and the WebSocket on one port,
// 127.0.0.1 by default. The owner's token is created on the first start and shown that once.
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { TitanError } from '../common/errors.ts';
import type { Kernel } from '../kernel/api.ts';
import type { Agent, JobService, Llm, McpService, RoutineService } from '../agent/api.ts';
import { createApp } from './app.ts';
import { gatewaySection, type GatewayConfig } from './config.ts';
import type { ChannelRuntime } from './channels/runtime.ts';
import type { ConfigFile, GatewayDeps, GatewaySettings, MeshView, StreamSet } from './deps.ts';
import { EventFeed } from './event-feed.ts';
import { attachWebSocket } from './events-ws.ts';
import { WARM_WITHOUT_READY_MS, warmFirstTurn } from './first-turn-warm.ts';
import { RateLimiter } from './limits.ts';
import { awaitLateParts, type LateParts } from './late-parts.ts';
import { GatewayMetrics } from './metrics.ts';
import { isLoopbackHost, originPolicy } from './origin.ts';
import { OWNER_TOKEN_FILE, TokenStore } from './tokens.ts';

const CLOSE_GRACE_MS = 2000;

export type GatewayOptions = {
  kernel: Kernel;
  agent: Agent;
  /** The kernel's LLM: /v1 serves provider models and tool pass-through with it; without it only agent turns. */
  llm?: Llm;
  /** The gateway's section of the configuration (`titan start` passes the loaded one); default its defaults. */
  config?: GatewayConfig;
  /** Default: config's (TITAN_HOST, TITAN_PORT; 127.0.0.1:7400). Port 0 picks a free port. */
  host?: string;
  port?: number;
  settings?: Partial<GatewaySettings>;
  /** The user the owner token acts as; default the OS user, as in the REPL, so both see the same threads. */
  ownerId?: string;
  /** Until this settles /api/ready answers 503. */
  starting?: Promise<unknown>;
  /**
   * The parts started after ready (`titan start`): until they run, requests other than health, ready
   * and the web UI's files wait (gateway/late-parts.ts); channels, jobs and routines are taken from it.
   */
  opening?: Promise<LateParts>;
  /** The messaging channels whose webhooks this gateway serves. */
  channels?: ChannelRuntime;
  /** The mesh running beside the kernel (/api/mesh, /metrics); none when it is off. */
  mesh?: MeshView;
  /** The mesh's section, for /api/mesh/status when no mesh runs. */
  meshConfig?: GatewayDeps['meshConfig'];
  /** The MCP servers the agent uses (/api/mcp/..., and their counts in /metrics). */
  mcp?: McpService;
  /** Sandbox jobs (/api/jobs), when Titan runs them. */
  jobs?: JobService;
  /** The routines the agent runs (/api/routines and their webhooks). */
  routines?: RoutineService;
  /** The configuration file the Settings page edits (/api/config). */
  configFile?: ConfigFile;
  /** Serve the OpenAI-compatible API under /v1 (default true). */
  openAi?: boolean;
  /** Where to print the address (and the token, on the start that creates it). */
  say?: (line: string) => void;
};

export type Gateway = {
  url: string;
  host: string;
  port: number;
  deps: GatewayDeps;
  close(): Promise<void>;
};

/** What the route table runs on (both listeners share it); `createToken: false` never writes the owner token. */
export type RouteTableOptions = Pick<
  GatewayOptions,
  | 'kernel'
  | 'agent'
  | 'llm'
  | 'config'
  | 'settings'
  | 'ownerId'
  | 'starting'
  | 'opening'
  | 'channels'
  | 'mesh'
  | 'meshConfig'
  | 'mcp'
  | 'jobs'
  | 'routines'
  | 'configFile'
> & { createToken?: boolean };

export async function gatewayDeps(options: RouteTableOptions): Promise<GatewayDeps> {
  const { kernel, agent } = options;
  const config = options.config ?? gatewaySection.defaults;
  const settings: GatewaySettings = {
    corsOrigins: config.corsOrigins,
    allowedOrigins: config.allowedOrigins,
    rateLimitPerMinute: config.rateLimitPerMinute,
    maxBodyBytes: config.maxBodyBytes,
    ...options.settings,
  };
  const tokens = await TokenStore.open(kernel.paths.home, options.ownerId ?? os.userInfo().username, { create: options.createToken });
  const streams: StreamSet = new Set();
  const feed = new EventFeed(kernel);
  const deps: GatewayDeps = {
    kernel,
    agent,
    llm: options.llm,
    settings,
    tokens,
    streams,
    feed,
    limiter: new RateLimiter(settings.rateLimitPerMinute),
    origins: originPolicy(settings.allowedOrigins),
    metrics: new GatewayMetrics(kernel, () => feed.clients, options.mesh),
    starting: options.starting,
    channels: options.channels,
    mesh: options.mesh,
    meshConfig: options.meshConfig,
    mcp: options.mcp,
    jobs: options.jobs,
    routines: options.routines,
    configFile: options.configFile,
  };
  deps.metrics.useReflexes(agent.reflexes);
  if (options.mcp) deps.metrics.useMcp(options.mcp);
  if (options.opening) awaitLateParts(deps, options.opening);
  return deps;
}

/** Closes what the route table holds open: its streams, the event feed, the metrics' collectors. */
export function closeDeps(deps: GatewayDeps): void {
  for (const stream of [...deps.streams]) stream.close();
  deps.feed.close();
  deps.metrics.close();
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { kernel } = options;
  const config = options.config ?? gatewaySection.defaults;
  const host = options.host ?? config.host;
  const deps = await gatewayDeps(options);
  const { tokens, streams } = deps;
  const app = createApp(deps, options.openAi !== false);
  const server = http.createServer(app.callback());
  const ws = attachWebSocket(server, deps);
  try {
    await listen(server, host, options.port ?? config.port);
  } catch (error) {
    ws.close();
    closeDeps(deps);
    throw error;
  }
  // Nobody asking /api/ready (the first ready answer warms it otherwise): the first turn's loads come after a while.
  const warm = setTimeout(() => warmFirstTurn(app), WARM_WITHOUT_READY_MS).unref();
  const port = (server.address() as { port: number }).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const say = options.say;
  if (say) {
    const tokenFile = path.join(kernel.paths.home, OWNER_TOKEN_FILE);
    say(`gateway on ${url} (token in ${tokenFile})`);
    if (tokens.created) {
      say(`gateway token (shown this once; send it as "Authorization: Bearer ..."): ${tokens.created}`);
      say(`web UI: ${url}/#token=${tokens.created}`);
    } else {
      say(`web UI: ${url}/#token=<the token in ${tokenFile}>`);
    }
    if (!isLoopbackHost(host)) say(`warning: the gateway listens on ${host}, reachable from other machines; anyone with the token can use it`);
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    deps,
    close() {
      closing ??= (async () => {
        clearTimeout(warm);
        ws.close();
        for (const stream of [...streams]) stream.close();
        // Requests in flight get a moment to finish; idle keep-alive connections go at once.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        await closed;
        clearTimeout(force);
        closeDeps(deps);
      })();
      return closing;
    },
  };
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new TitanError('TITAN_E_PORT_IN_USE', `${host}:${port} is already in use`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        reject(
          new TitanError('TITAN_E_CONFIG_INVALID', `the gateway cannot listen on host "${host}"`, {
            fix: 'set TITAN_HOST to an address of this machine (default 127.0.0.1)',
          }),
        );
      else reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
