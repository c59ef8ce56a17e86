// The kernel's section of the configuration ({ "kernel": { ... } } in $TITAN_HOME/config.json):
// component limits, the worker pool, patches, the store and the workspace. The other parts
// declare their own sections beside their code; the kernel knows only this one.
import { defineSection, sameNames } from '../common/config-section.ts';
import { loadSections, type Loaded } from '../common/config-loader.ts';

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
};

export const kernelSection = defineSection<'kernel', KernelConfig>({
  name: 'kernel',
  defaults: {
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
  },
  schema: {
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
  },
  clamps: {
    defaultMemoryMb: [8, 4096],
    maxInstances: [1, 256],
    workerThreads: [1, 32],
    defaultTimeoutMs: [10, 600000],
  },
  env: {
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
  },
  flat: sameNames(
    'logLevel', 'defaultMemoryMb', 'maxInstances', 'workerThreads', 'defaultTimeoutMs',
    'autoApprovePatches', 'controlSocket', 'dbUrl', 'store', 'workspace',
  ),
});

export const DEFAULT_CONFIG: KernelConfig = kernelSection.defaults;

/**
 * The kernel's section alone (the kernel opened without a caller that loaded every section):
 * keys of the other sections are left to their parts.
 */
export async function loadConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<KernelConfig> = {},
): Promise<Loaded<KernelConfig>> {
  const options = { env, overrides: { kernel: overrides }, complete: false };
  const { config, warnings } = await loadSections(file, [kernelSection], options);
  return { config: config.kernel, warnings };
}
