// What every route is handed: the kernel and agent it serves, and the gateway's own services.
// Handlers run after authentication: `ctx.state.user` ({userId, admin, tokenId}) names the caller.
import type { Router } from '@koa/router';
import type { Kernel } from '../kernel/api.ts';
import type { GatewayConfig } from './config.ts';
import type { Agent, JobService, Llm, McpService, RoutineService } from '../agent/api.ts';
import type { MeshConfig } from '../mesh/config.ts';
import type { Mesh } from '../mesh/mesh.ts';
import type { AuthState } from './auth.ts';
import type { ChannelRuntime } from './channels/runtime.ts';
import type { EventFeed } from './event-feed.ts';
import type { RateLimiter } from './limits.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { OriginPolicy } from './origin.ts';
import type { TokenStore } from './tokens.ts';

export type GatewaySettings = Pick<GatewayConfig, 'corsOrigins' | 'allowedOrigins' | 'rateLimitPerMinute' | 'maxBodyBytes'>;

/** The mesh as the gateway shows and steers it (/api/mesh, /metrics); handed in at start when one runs. */
export type MeshView = Pick<Mesh, 'status' | 'peers' | 'allow' | 'deny' | 'roundTrips'>;

/**
 * Titan's configuration file as the Settings page edits it (`titan start` hands it in): the file as
 * written, the configuration in effect with the TITAN_* variables over it, and a write that checks the
 * whole edit as a start would and refuses it (TITAN_E_CONFIG_INVALID, the file untouched) if it fails.
 */
export type ConfigFile = {
  readonly path: string;
  read(): Promise<{ file: Record<string, unknown>; effective: Record<string, unknown>; warnings: string[] }>;
  write(file: Record<string, unknown>): Promise<{ warnings: string[] }>;
};

/** Open streams (SSE responses, WebSockets): closed with the gateway. */
export type StreamSet = Set<{ close(): void }>;

export type GatewayDeps = {
  kernel: Kernel;
  agent: Agent;
  llm: Llm | undefined;
  settings: GatewaySettings;
  tokens: TokenStore;
  limiter: RateLimiter;
  origins: OriginPolicy;
  feed: EventFeed;
  metrics: GatewayMetrics;
  streams: StreamSet;
  /** While set and unsettled, /api/ready answers 503 (the kernel is still deploying its components). */
  starting?: Promise<unknown>;
  /**
   * While set, requests other than /api/health, /api/ready and the web UI's files wait for it: the
   * parts `titan start` starts after ready (gateway/late-parts.ts). Unset once they run.
   */
  opening?: Promise<void>;
  /** The messaging channels' webhooks (/channels/<name>/webhook), when channels run. */
  channels?: ChannelRuntime;
  /** The mesh running beside the kernel, if any. */
  mesh?: MeshView;
  /** The mesh's configuration, to say how a mesh that is not running would start; default its defaults. */
  meshConfig?: Pick<MeshConfig, 'enabled' | 'listen' | 'bootstrap'>;
  /** The MCP servers lent to the agent, when `titan start` runs them. */
  mcp?: McpService;
  /** Sandbox jobs, when `titan start` runs them. */
  jobs?: JobService;
  /** The routines (/api/routines, /hooks/routines/<name>), when `titan start` runs them. */
  routines?: RoutineService;
  /** The configuration file (/api/config), when `titan start` runs the gateway. */
  configFile?: ConfigFile;
};

export type GatewayState = AuthState;
export type GatewayRouter = Router<GatewayState>;
