// The gateway's metrics as the routes and the kernel's events feed them. prom-client (a few MB and
// tens of ms to load) is loaded at the first /metrics scrape, so an idle Titan nobody scrapes never
// holds it; what happens before then is kept and handed to it, so /metrics counts every turn,
// request and error since the start (the process metrics, such as event-loop lag and GC, are
// observed from the first scrape on). What waits is bounded: past WAITING_LIMIT records prom-client
// is loaded on its own (a Titan that has served that much is no longer idle).
import type { Kernel } from '../kernel/api.ts';
import type { ReflexService } from '../agent/api.ts';
import type { MeshView } from './deps.ts';
import type { PromMetrics } from './metrics-registry.ts';

/** Records kept while prom-client is not loaded; the one past this loads it. */
export const WAITING_LIMIT = 1_000;

type McpCounts = { servers(): Array<{ name: string; state: string; tools: number; restarts: number }> };
type ChannelCounts = { counts(): Array<{ channel: string; outcome: string; count: number }> };

export class GatewayMetrics {
  #metrics: PromMetrics | undefined;
  #loading: Promise<PromMetrics> | undefined;
  /** What happened before prom-client was loaded, in order. */
  #waiting: Array<(metrics: PromMetrics) => void> = [];
  #closed = false;
  #unloadable = false;
  readonly #offs: Array<() => void>;
  readonly #args: [Kernel, () => number, MeshView | undefined];

  constructor(kernel: Kernel, streams: () => number, mesh?: MeshView) {
    this.#args = [kernel, streams, mesh];
    this.#offs = [
      mesh ? mesh.roundTrips.onSample((ms) => this.#with((m) => m.roundTrip(ms))) : () => {},
      kernel.bus.on('turn.event', (event) => this.#with((m) => m.turnEvent(event))),
      kernel.bus.on('secret.redacted', (e) => this.#with((m) => m.redacted(e))),
      kernel.bus.on('http.request', (e) => this.#with((m) => m.outbound(e))),
      kernel.bus.on('component.deployed', (e) => this.#with((m) => m.swap(e.slot, 'deployed'))),
      kernel.bus.on('component.swap_failed', (e) => this.#with((m) => m.swap(e.slot, 'failed', e.code))),
      kernel.bus.on('component.rolled_back', (e) => this.#with((m) => m.swap(e.slot, 'rolled_back'))),
    ];
  }

  /** Whether prom-client has been loaded (at the first scrape, or once enough waited for it). */
  get loaded(): boolean {
    return this.#metrics !== undefined;
  }

  /** Loads prom-client and hands it what happened so far (once; later calls wait for the same load). */
  load(): Promise<PromMetrics> {
    this.#loading ??= import('./metrics-registry.ts').then(
      ({ PromMetrics }) => {
        const metrics = new PromMetrics(...this.#args);
        if (this.#closed) metrics.close();
        for (const apply of this.#waiting) apply(metrics);
        this.#waiting = [];
        this.#metrics = metrics;
        return metrics;
      },
      (error: unknown) => {
        // Not loadable (each scrape says why): nothing is kept for it any more.
        this.#unloadable = true;
        this.#waiting = [];
        throw error;
      },
    );
    return this.#loading;
  }

  #with(apply: (metrics: PromMetrics) => void): void {
    if (this.#metrics) apply(this.#metrics);
    else if (this.#unloadable) return;
    else if (this.#waiting.push(apply) > WAITING_LIMIT) void this.load().catch(() => {});
  }

  /** The Prometheus text of every metric (what /metrics answers). */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const { registry } = await this.load();
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  /** The reflex service whose reflexes and shadow cache /metrics reports. */
  useReflexes(service: ReflexService | undefined): void {
    this.#with((m) => m.useReflexes(service));
  }

  /** MCP servers (agent/mcp): each one's state, tool count and restarts, read at each scrape. */
  useMcp(mcp: McpCounts): void {
    this.#with((m) => m.useMcp(mcp));
  }

  /** Messaging channels: platform events by channel and outcome (gateway/channels/runtime.ts). */
  useChannels(channels: ChannelCounts): void {
    this.#with((m) => m.useChannels(channels));
  }

  error(code: string, source = 'http'): void {
    this.#with((m) => m.error(code, source));
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.#with((m) => m.request(method, route, status, seconds));
  }

  close(): void {
    this.#closed = true;
    for (const off of this.#offs) off();
    this.#waiting = [];
    this.#metrics?.close();
  }
}
