// The gateway's Prometheus metrics, in a registry of their own (several gateways can share a process):
// turns by outcome, tool latency from the turn events, component instances in use, swaps, errors
// by code, HTTP requests, and the default process metrics. Loaded at the first scrape (gateway/metrics.ts
// hands it what happened until then).
import client from 'prom-client';
import type { Kernel, KernelEvents } from '../kernel/api.ts';
import type { ReflexService, TurnEvent } from '../agent/api.ts';
import type { MeshView } from './deps.ts';

const TURN_OUTCOMES: Record<string, string> = { 'turn.completed': 'completed', 'turn.failed': 'failed', 'turn.interrupted': 'interrupted' };
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class PromMetrics {
  readonly registry = new client.Registry();
  readonly #turns: client.Counter<'outcome'>;
  readonly #turnSeconds: client.Histogram<'outcome'>;
  readonly #toolSeconds: client.Histogram<'tool' | 'ok'>;
  readonly #swaps: client.Counter<'slot' | 'outcome'>;
  readonly #errors: client.Counter<'code' | 'source'>;
  readonly #requests: client.Counter<'method' | 'route' | 'status'>;
  readonly #requestSeconds: client.Histogram<'method' | 'route'>;
  /** Start times of turns and tool calls in flight, by turn id and by call id. */
  readonly #turnStarts = new Map<string, number>();
  readonly #toolStarts = new Map<string, { turnId: string; at: number }>();
  readonly #redactions: client.Counter<'source' | 'kind'>;
  readonly #outbound: client.Counter<'slot' | 'method' | 'outcome'>;
  readonly #outboundSeconds: client.Histogram<'slot' | 'outcome'>;
  readonly #outboundBytes: client.Counter<'slot'>;
  readonly #meshRoundTrip: client.Histogram;
  readonly #fastAnswers: client.Counter<'source' | 'reflex'>;
  #reflexes: ReflexService | undefined;

  constructor(kernel: Kernel, streams: () => number, mesh?: MeshView) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry });
    this.#turns = new client.Counter({ name: 'titan_turns_total', help: 'Turns that ended, by outcome', labelNames: ['outcome'], registers });
    this.#turnSeconds = new client.Histogram({
      name: 'titan_turn_duration_seconds',
      help: 'From the user message to the end of the turn',
      labelNames: ['outcome'],
      buckets: SECONDS,
      registers,
    });
    this.#toolSeconds = new client.Histogram({
      name: 'titan_tool_duration_seconds',
      help: 'Tool calls, from started to completed',
      labelNames: ['tool', 'ok'],
      buckets: SECONDS,
      registers,
    });
    this.#swaps = new client.Counter({
      name: 'titan_component_swaps_total',
      help: 'Component swaps, by slot and outcome (deployed, failed, rolled_back)',
      labelNames: ['slot', 'outcome'],
      registers,
    });
    this.#errors = new client.Counter({
      name: 'titan_errors_total',
      help: 'Coded errors, by code and where they surfaced (http, turn)',
      labelNames: ['code', 'source'],
      registers,
    });
    this.#requests = new client.Counter({ name: 'titan_http_requests_total', help: 'Gateway requests', labelNames: ['method', 'route', 'status'], registers });
    this.#requestSeconds = new client.Histogram({
      name: 'titan_http_request_duration_seconds',
      help: 'Gateway request time until the answer starts',
      labelNames: ['method', 'route'],
      buckets: SECONDS,
      registers,
    });
    new client.Gauge({
      name: 'titan_component_instances',
      help: 'Component instances per slot: live, busy (a call running) and waiting calls',
      labelNames: ['slot', 'state'],
      registers,
      collect() {
        this.reset();
        for (const component of kernel.components()) {
          const stats = component.instances;
          if (!stats) continue;
          this.set({ slot: component.slot, state: 'live' }, stats.live);
          this.set({ slot: component.slot, state: 'busy' }, stats.busy);
          this.set({ slot: component.slot, state: 'waiting' }, stats.waiting);
        }
      },
    });
    new client.Counter({
      name: 'titan_component_chatter_dropped_total',
      help: 'Log lines and events a component sent past its rate limit (dropped), by slot, version and kind',
      labelNames: ['slot', 'version', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const drop of kernel.chatterDrops()) this.inc({ slot: drop.slot, version: drop.version, kind: drop.kind }, drop.dropped);
      },
    });
    // Reflexes and shadow workers: answers given without the model (each one a model call avoided),
    // and the reflexes' own counters (hits, misses, rejections, suspensions) by reflex and state.
    this.#fastAnswers = new client.Counter({
      name: 'titan_model_calls_avoided_total',
      help: 'Turns answered without the model, by source (reflex, shadow) and reflex',
      labelNames: ['source', 'reflex'],
      registers,
    });
    const metrics = this;
    new client.Gauge({
      name: 'titan_reflex_events',
      help: 'Per reflex: hits, misses (threw or timed out), rejections (asked the model instead), suspensions',
      labelNames: ['reflex', 'state', 'event'],
      registers,
      collect() {
        this.reset();
        for (const r of metrics.#reflexes?.list() ?? []) {
          for (const [event, value] of [
            ['hits', r.hits],
            ['misses', r.misses],
            ['rejections', r.rejections],
            ['suspensions', r.suspensions],
          ] as const) {
            this.set({ reflex: r.name, state: r.state, event }, value);
          }
        }
      },
    });
    new client.Gauge({
      name: 'titan_shadow_predictions',
      help: 'Shadow workers: predictions made, precomputed, abandoned (a tool with side effects), cache hits, over budget',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        const stats = metrics.#reflexes?.shadow?.stats;
        if (stats) for (const [outcome, value] of Object.entries(stats)) this.set({ outcome }, value);
      },
    });
    new client.Gauge({
      name: 'titan_shadow_model_requests',
      help: 'Shadow workers: model requests spent on predictions and precomputations, and saved by cache hits',
      labelNames: ['kind'],
      registers,
      collect() {
        this.reset();
        const requests = metrics.#reflexes?.shadow?.requests;
        if (requests) for (const [kind, value] of Object.entries(requests)) this.set({ kind }, value);
      },
    });
    new client.Gauge({
      name: 'titan_event_streams',
      help: 'Open SSE and WebSocket thread subscriptions',
      registers,
      collect() {
        this.set(streams());
      },
    });
    // The mesh, when this kernel runs one: read at each scrape; round trips observed as they happen.
    new client.Gauge({
      name: 'titan_mesh_peers',
      help: 'Mesh peers heard from within the last three heartbeats',
      registers,
      collect() {
        this.set(mesh?.peers().length ?? 0);
      },
    });
    new client.Counter({
      name: 'titan_mesh_tasks_total',
      help: 'Mesh tasks: sent to peers, received from peers, run here, fallbacks (run here after a peer timed out or the waiters were full), re-sent after a peer was lost, duplicates suppressed',
      labelNames: ['event'],
      registers,
      collect() {
        const tasks = mesh?.status().tasks;
        this.reset();
        if (!tasks) return;
        for (const [event, value] of Object.entries({
          sent: tasks.sent,
          received: tasks.received,
          local: tasks.localRuns,
          fallback: tasks.fallbacks,
          redispatched: tasks.redispatched,
          duplicate_suppressed: tasks.duplicatesSuppressed,
          timed_out: tasks.timedOut,
        }))
          this.inc({ event }, value);
      },
    });
    new client.Counter({
      name: 'titan_mesh_tasks_by_type_total',
      help: 'Mesh tasks by type (tool-call, reflex-compile): sent to peers, executed here for peers',
      labelNames: ['type', 'event'],
      registers,
      collect() {
        const byType = mesh?.status().tasksByType;
        this.reset();
        if (!byType) return;
        for (const [type, counts] of Object.entries(byType)) {
          this.inc({ type, event: 'sent' }, counts.sent);
          this.inc({ type, event: 'executed_for_peers' }, counts.executedForPeers);
        }
      },
    });
    new client.Counter({
      name: 'titan_mesh_reflex_builds_total',
      help: 'Reflex builds: offered to a peer, built by a peer (verified and published here), built here, fallbacks after a peer failed, peer answers rejected, built here for peers, peer requests refused',
      labelNames: ['event'],
      registers,
      collect() {
        const builds = mesh?.status().reflexBuilds;
        this.reset();
        if (!builds) return;
        for (const [event, value] of Object.entries({
          offered: builds.offered,
          built_by_peer: builds.builtByPeers,
          built_here: builds.builtHere,
          fallback: builds.fallbacks,
          rejected: builds.rejected,
          built_for_peer: builds.builtForPeers,
          refused: builds.refused,
        }))
          this.inc({ event }, value);
      },
    });
    new client.Counter({
      name: 'titan_mesh_embedding_batches_total',
      help: 'Embedding batches: offered to a peer, embedded by a peer (checked here), embedded here, fallbacks after a peer failed, peer answers rejected, embedded here for peers, peer requests refused',
      labelNames: ['event'],
      registers,
      collect() {
        const batches = mesh?.status().embeddingBatches;
        this.reset();
        if (!batches) return;
        for (const [event, value] of Object.entries({
          offered: batches.offered,
          embedded_by_peer: batches.embeddedByPeers,
          embedded_here: batches.embeddedHere,
          fallback: batches.fallbacks,
          rejected: batches.rejected,
          embedded_for_peer: batches.embeddedForPeers,
          refused: batches.refused,
        }))
          this.inc({ event }, value);
      },
    });
    // Components' outbound requests (titan:host/http). No host label: a fetch tool may reach any
    // public host, and a label per host would grow without bound.
    this.#outbound = new client.Counter({
      name: 'titan_component_http_requests_total',
      help: 'Outbound requests of components, by slot, method and outcome (ok or the refusal/failure code)',
      labelNames: ['slot', 'method', 'outcome'],
      registers,
    });
    this.#outboundSeconds = new client.Histogram({
      name: 'titan_component_http_duration_seconds',
      help: 'Outbound requests of components, from start to the end of the body',
      labelNames: ['slot', 'outcome'],
      buckets: SECONDS,
      registers,
    });
    this.#outboundBytes = new client.Counter({
      name: 'titan_component_http_received_bytes_total',
      help: 'Response body bytes received by components',
      labelNames: ['slot'],
      registers,
    });
    this.#redactions = new client.Counter({
      name: 'titan_secret_redactions_total',
      help: 'Secrets and keys the leak guard cut out, by where they came from (tool, model, message, channel, component.event, component.log) and kind',
      labelNames: ['source', 'kind'],
      registers,
    });
    this.#meshRoundTrip = new client.Histogram({
      name: 'titan_mesh_task_round_trip_seconds',
      help: 'A task sent to a peer, from sending to its result',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers,
    });
  }

  roundTrip(ms: number): void {
    this.#meshRoundTrip.observe(ms / 1000);
  }

  redacted(e: KernelEvents['secret.redacted']): void {
    for (const kind of e.kinds) this.#redactions.inc({ source: e.source.split(':')[0], kind });
  }

  outbound(e: KernelEvents['http.request']): void {
    this.#outbound.inc({ slot: e.slot, method: e.method, outcome: e.outcome });
    this.#outboundSeconds.observe({ slot: e.slot, outcome: e.outcome }, e.ms / 1000);
    if (e.bytes > 0) this.#outboundBytes.inc({ slot: e.slot }, e.bytes);
  }

  swap(slot: string, outcome: 'deployed' | 'failed' | 'rolled_back', code?: string): void {
    this.#swaps.inc({ slot, outcome });
    if (code) this.#errors.inc({ code, source: 'swap' });
  }

  /** The reflex service whose reflexes and shadow cache /metrics reports. */
  useReflexes(service: ReflexService | undefined): void {
    this.#reflexes = service;
  }

  /** MCP servers (agent/mcp): each one's state, tool count and restarts, read at each scrape. */
  useMcp(mcp: { servers(): Array<{ name: string; state: string; tools: number; restarts: number }> }): void {
    const registers = [this.registry];
    new client.Gauge({
      name: 'titan_mcp_servers',
      help: 'MCP servers by state (starting, up, down): 1 for the state each one is in',
      labelNames: ['server', 'state'],
      registers,
      collect() {
        this.reset();
        for (const s of mcp.servers()) this.set({ server: s.name, state: s.state }, 1);
      },
    });
    new client.Gauge({
      name: 'titan_mcp_tools',
      help: 'Tools each MCP server offers',
      labelNames: ['server'],
      registers,
      collect() {
        this.reset();
        for (const s of mcp.servers()) this.set({ server: s.name }, s.tools);
      },
    });
    new client.Counter({
      name: 'titan_mcp_restarts_total',
      help: 'MCP server restarts (after an exit, a hang or malformed JSON-RPC)',
      labelNames: ['server'],
      registers,
      collect() {
        this.reset();
        for (const s of mcp.servers()) this.inc({ server: s.name }, s.restarts);
      },
    });
  }

  /** Messaging channels: platform events by channel and outcome (gateway/channels/runtime.ts). */
  useChannels(channels: { counts(): Array<{ channel: string; outcome: string; count: number }> }): void {
    new client.Counter({
      name: 'titan_channel_events_total',
      help: 'Channel events by outcome: received, replayed, refused, malformed, unpaired, unsupported, answered, failed',
      labelNames: ['channel', 'outcome'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { channel, outcome, count } of channels.counts()) this.inc({ channel, outcome }, count);
      },
    });
  }

  turnEvent(event: TurnEvent): void {
    switch (event.type) {
      case 'answer.source':
        this.#fastAnswers.inc({ source: event.source, reflex: event.reflex?.name ?? '' });
        return;
      case 'turn.started':
        this.#turnStarts.set(event.turnId, event.at);
        return;
      case 'tool.started':
        this.#toolStarts.set(event.callId, { turnId: event.turnId, at: event.at });
        return;
      case 'tool.completed': {
        const started = this.#toolStarts.get(event.callId);
        this.#toolStarts.delete(event.callId);
        if (started) this.#toolSeconds.observe({ tool: event.name, ok: String(event.ok) }, (event.at - started.at) / 1000);
        return;
      }
      case 'error':
        this.#errors.inc({ code: event.code, source: 'turn' });
        return;
    }
    const outcome = TURN_OUTCOMES[event.type];
    if (!outcome) return;
    this.#turns.inc({ outcome });
    const started = this.#turnStarts.get(event.turnId);
    this.#turnStarts.delete(event.turnId);
    if (started !== undefined) this.#turnSeconds.observe({ outcome }, (event.at - started) / 1000);
    for (const [callId, call] of this.#toolStarts) if (call.turnId === event.turnId) this.#toolStarts.delete(callId);
  }

  error(code: string, source = 'http'): void {
    this.#errors.inc({ code, source });
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.#requests.inc({ method, route, status: String(status) });
    this.#requestSeconds.observe({ method, route }, seconds);
  }

  close(): void {
    this.registry.clear();
  }
}
