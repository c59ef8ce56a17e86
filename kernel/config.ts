// The kernel's section of the configuration ({ "kernel": { ... } } in $TITAN_HOME/config.json):
// component limits, the worker pool, patches, the store and the workspace. The other parts
// declare their own sections beside their code; the kernel knows only this one.
import { defineSection, sameNames } from '../common/config-section.ts';
import { loadSections, type Loaded } from '../common/config-loader.ts';
import type { CanaryConfig } from './canary.ts';
import type { OptimiserConfig } from './optimiser.ts';

export type KernelConfig = {
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Where the kernel log goes: "auto" (stdout for `titan start` when stdout is not a terminal, e.g.
   * under systemd or Docker; otherwise the file), "stdout", or "file" ($TITAN_HOME/logs, rotated). */
  logTo: 'auto' | 'stdout' | 'file';
  /** Default cap of a component instance's linear memory, when its manifest names none. */
  defaultMemoryMb: number;
  /** Default instances per component, when its manifest names none. */
  maxInstances: number;
  /** Threads of the worker pool that runs components with isolation "worker". */
  workerThreads: number;
  /** Time limit of a call (worker, or inline by grant) when the manifest names none. */
  defaultTimeoutMs: number;
  /** Components allowed to run inline (in the kernel's thread) though not shipped with Titan:
   * "kind/name" (any version) or "kind/name@sha256:..." (that binary only). Each use is logged. */
  inlineGrants: string[];
  /** Longest one synchronous run of a component inline by grant may hold the kernel's thread before
   * the watchdog stops it (its call's own time limit still bounds the whole call): every other call
   * waits meanwhile, so it is kept short; a grant is for components that answer in a few ms. */
  inlineSliceMs: number;
  /** A component inline by grant that the watchdog stops this many times within
   * inlineGrantStopMinutes loses its grant: it runs in a worker, across restarts, until the owner
   * grants it again (titan components regrant). Each stop stalled every other call for a slice. */
  inlineGrantStops: number;
  inlineGrantStopMinutes: number;
  /** Ceiling of the bytes one string may carry out of a component (a result, a log line); a
   * manifest's limits.maxResultBytes may only lower it. */
  maxResultBytes: number;
  /** Log lines a second one component version may write (bursts of twice that); excess is dropped and counted. */
  componentLogRate: number;
  /** Events a second one component version may emit (bursts of twice that; every 4 KiB of data counts one more). */
  componentEventRate: number;
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
  /**
   * The owner's word on single components, by slot ("tool/web-search"): capability grants that
   * replace the manifest's (for capabilities it declares), and settings the component reads from
   * its kv namespace under the key "settings" (read-only).
   */
  components: Record<string, ComponentOverride>;
  /** Share of each slot's calls recorded whole (input, output, host answers; secrets cut out) for verification; 0: none. */
  recordSampleRate: number;
  /** Recorded calls kept per slot (in memory). */
  recordPerSlot: number;
  /** Recorded calls older than this are dropped. */
  recordMaxAgeMinutes: number;
  /** A call heavier than this (as JSON) is not recorded. */
  recordMaxCallBytes: number;
  /** Keep the recorded calls across a restart ($TITAN_HOME/recorded-calls.json, owner-only; same bounds). */
  recordPersist: boolean;
  /** A slot's recorded calls together (as JSON) stay under this; the oldest go first. */
  recordMaxSlotBytes: number;
  /** On replay, the new version's p50 may exceed the old one's by this share (p99 by twice it). */
  verifyLatencyTolerance: number;
} & CanaryConfig &
  OptimiserConfig;

export type ComponentOverride = { capabilities?: Record<string, Record<string, unknown>>; settings?: Record<string, unknown> };

export const kernelSection = defineSection<'kernel', KernelConfig>({
  name: 'kernel',
  defaults: {
    logLevel: 'info',
    logTo: 'auto',
    defaultMemoryMb: 64,
    maxInstances: 8,
    workerThreads: 2,
    defaultTimeoutMs: 30000,
    inlineGrants: [],
    inlineSliceMs: 25,
    inlineGrantStops: 3,
    inlineGrantStopMinutes: 10,
    maxResultBytes: 16 * 1024 * 1024,
    componentLogRate: 100,
    componentEventRate: 500,
    autoApprovePatches: false,
    controlSocket: true,
    dbUrl: '',
    store: 'core',
    workspace: '',
    components: {},
    recordSampleRate: 0.2,
    recordPerSlot: 256,
    recordMaxAgeMinutes: 1440,
    recordMaxCallBytes: 65536,
    recordPersist: true,
    recordMaxSlotBytes: 2 * 1024 * 1024,
    verifyLatencyTolerance: 0.25,
    canaryShare: 0.1,
    canaryMinCalls: 20,
    canaryWatchCalls: 200,
    canaryMaxErrorRise: 0.05,
    canaryMaxP99Ratio: 2,
    canaryWarmUpMs: 10000,
    optimise: true,
    optimiseIntervalMs: 60000,
    optimiseMinCalls: 50,
    optimiseSlowMs: 50,
    optimiseRepeatShare: 0.3,
    optimiseRewrite: false,
  },
  schema: {
    logLevel: { enum: ['debug', 'info', 'warn', 'error'] },
    logTo: { enum: ['auto', 'stdout', 'file'] },
    defaultMemoryMb: { type: 'integer' },
    maxInstances: { type: 'integer' },
    workerThreads: { type: 'integer' },
    defaultTimeoutMs: { type: 'integer' },
    inlineGrants: { type: 'array', items: { type: 'string', pattern: '^(tool|channel|provider|reflex|store)/[a-z][a-z0-9-]{0,62}(@sha256:[0-9a-f]{64})?$' } },
    inlineSliceMs: { type: 'integer' },
    inlineGrantStops: { type: 'integer' },
    inlineGrantStopMinutes: { type: 'integer' },
    maxResultBytes: { type: 'integer' },
    componentLogRate: { type: 'integer' },
    componentEventRate: { type: 'integer' },
    autoApprovePatches: { type: 'boolean' },
    controlSocket: { type: 'boolean' },
    dbUrl: { type: 'string' },
    store: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' },
    workspace: { type: 'string' },
    components: {
      type: 'object',
      propertyNames: { pattern: '^[a-z]+/[a-z][a-z0-9-]{0,62}$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { capabilities: { type: 'object', additionalProperties: { type: 'object' } }, settings: { type: 'object' } },
      },
    },
    recordSampleRate: { type: 'number' },
    recordPerSlot: { type: 'integer' },
    recordMaxAgeMinutes: { type: 'integer' },
    recordMaxCallBytes: { type: 'integer' },
    recordPersist: { type: 'boolean' },
    recordMaxSlotBytes: { type: 'integer' },
    verifyLatencyTolerance: { type: 'number' },
    canaryShare: { type: 'number' },
    canaryMinCalls: { type: 'integer' },
    canaryWatchCalls: { type: 'integer' },
    canaryMaxErrorRise: { type: 'number' },
    canaryMaxP99Ratio: { type: 'number' },
    canaryWarmUpMs: { type: 'integer' },
    optimise: { type: 'boolean' },
    optimiseIntervalMs: { type: 'integer' },
    optimiseMinCalls: { type: 'integer' },
    optimiseSlowMs: { type: 'number' },
    optimiseRepeatShare: { type: 'number' },
    optimiseRewrite: { type: 'boolean' },
  },
  clamps: {
    defaultMemoryMb: [8, 4096],
    maxInstances: [1, 256],
    workerThreads: [1, 32],
    defaultTimeoutMs: [10, 600000],
    inlineSliceMs: [5, 600000],
    inlineGrantStops: [1, 1000],
    inlineGrantStopMinutes: [1, 10_080],
    maxResultBytes: [1024, 256 * 1024 * 1024],
    componentLogRate: [1, 100_000],
    componentEventRate: [1, 1_000_000],
    recordSampleRate: [0, 1],
    recordPerSlot: [0, 100_000],
    recordMaxAgeMinutes: [1, 525_600],
    recordMaxCallBytes: [256, 16 * 1024 * 1024],
    recordMaxSlotBytes: [1024, 1024 * 1024 * 1024],
    verifyLatencyTolerance: [0, 10],
    canaryShare: [0, 1],
    canaryMinCalls: [1, 100_000],
    canaryWatchCalls: [0, 1_000_000],
    canaryMaxErrorRise: [0, 1],
    canaryMaxP99Ratio: [1, 100],
    canaryWarmUpMs: [0, 600_000],
    optimiseIntervalMs: [100, 86_400_000],
    optimiseMinCalls: [1, 1_000_000],
    optimiseSlowMs: [0, 600_000],
    optimiseRepeatShare: [0, 1],
  },
  env: {
    TITAN_LOG_LEVEL: 'logLevel',
    TITAN_LOG_TO: 'logTo',
    TITAN_DEFAULT_MEMORY_MB: 'defaultMemoryMb',
    TITAN_MAX_INSTANCES: 'maxInstances',
    TITAN_WORKER_THREADS: 'workerThreads',
    TITAN_DEFAULT_TIMEOUT_MS: 'defaultTimeoutMs',
    TITAN_INLINE_GRANTS: 'inlineGrants',
    TITAN_INLINE_SLICE_MS: 'inlineSliceMs',
    TITAN_MAX_RESULT_BYTES: 'maxResultBytes',
    TITAN_AUTO_APPROVE_PATCHES: 'autoApprovePatches',
    TITAN_OPTIMISE: 'optimise',
    TITAN_CONTROL_SOCKET: 'controlSocket',
    TITAN_DB_URL: 'dbUrl',
    TITAN_STORE: 'store',
    TITAN_WORKSPACE: 'workspace',
  },
  flat: sameNames(
    'logLevel',
    'logTo',
    'defaultMemoryMb',
    'maxInstances',
    'workerThreads',
    'defaultTimeoutMs',
    'autoApprovePatches',
    'controlSocket',
    'dbUrl',
    'store',
    'workspace',
  ),
});

export const DEFAULT_CONFIG: KernelConfig = kernelSection.defaults;

/**
 * The kernel's section alone (the kernel opened without a caller that loaded every section):
 * keys of the other sections are left to their parts.
 */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env, overrides: Partial<KernelConfig> = {}): Promise<Loaded<KernelConfig>> {
  const options = { env, overrides: { kernel: overrides }, complete: false };
  const { config, warnings } = await loadSections(file, [kernelSection], options);
  return { config: config.kernel, warnings };
}
