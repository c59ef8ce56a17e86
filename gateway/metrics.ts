// The gateway's metrics as the routes and the kernel's events feed them. prom-client (about 20 MB and
// tens of ms to load) is loaded once Titan is ready (load(), or on its own a second after the
// gateway starts, or at the first scrape); what happens before then is kept and handed to it, so
// /metrics counts every turn, request and error since the start.
import type { Kernel } from '../kernel/api.ts';
import type { ReflexService } from '../agent/api.ts';
import type { MeshView } from './deps.ts';
import type { PromMetrics } from './metrics-registry.ts';

/** Loaded by then even when nobody calls load(): what waits is kept only this long. */
const LOAD_BY_MS = 1_000;

type McpCounts = { servers(): Array<{ name: string; state: string; tools: number; restarts: number }> };
type ChannelCounts = { counts(): Array<{ channel: string; outcome: string; count: number }> };

export class GatewayMetrics {
  #metrics: PromMetrics | undefined;
  #loading: Promise<PromMetrics> | undefined;
  /** What happened before prom-client was loaded, in order. */
  #waiting: Array<(metrics: PromMetrics) => void> = [];
  #closed = false;
  readonly #offs: Array<() => void>;
  readonly #timer: NodeJS.Timeout;
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
    this.#timer = setTimeout(() => void this.load().catch(() => {}), LOAD_BY_MS);
    this.#timer.unref();
  }

  /** Loads prom-client and hands it what happened so far (once; later calls wait for the same load). */
  load(): Promise<PromMetrics> {
    this.#loading ??= import('./metrics-registry.ts').then(({ PromMetrics }) => {
      clearTimeout(this.#timer);
      const metrics = new PromMetrics(...this.#args);
      if (this.#closed) metrics.close();
      for (const apply of this.#waiting) apply(metrics);
      this.#waiting = [];
      this.#metrics = metrics;
      return metrics;
    });
    return this.#loading;
  }

  #with(apply: (metrics: PromMetrics) => void): void {
    if (this.#metrics) apply(this.#metrics);
    else this.#waiting.push(apply);
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
    clearTimeout(this.#timer);
    for (const off of this.#offs) off();
    this.#waiting = [];
    this.#metrics?.close();
  }
}
