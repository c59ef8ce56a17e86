// Opening what a kernel keeps in its home before it is constructed: paths, config, logger, event
// bus, registry, patch queue, secrets, database and the built-ins' digests.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Loaded } from '../common/config-loader.ts';
import { homePaths, titanHome, type HomePaths } from '../common/home.ts';
import { SecretStore } from '../common/secret-store.ts';
import type { SqlBackend } from '../host-api/db/backend.ts';
import { defaultDbUrl, openDatabase } from '../host-api/db/open.ts';
import { Registry } from '../registry/registry.ts';
import { BuiltinDigests } from './builtins.ts';
import { GrantWithdrawals, withdrawalsFile } from './grant-withdrawals.ts';
import { loadConfig, type KernelConfig } from './config.ts';
import { EventBus } from './events.ts';
import { carriesContent, createLogger, silentLogger, type Logger } from './logger.ts';
import { PatchQueue } from './patches.ts';

export type KernelOptions = {
  home?: string;
  env?: NodeJS.ProcessEnv;
  /** Values that beat config.json and the environment (tests, a command's own needs). */
  config?: Partial<KernelConfig>;
  /** The kernel's section as the caller loaded it with every other section (`titan start`): config.json is not read again and `config` is not applied. */
  loaded?: Loaded<KernelConfig>;
  /** false: no log at all (tests, one-shot CLI commands). */
  logToFile?: boolean;
  /** The long-running server (`titan start`): with logTo "auto" it logs to stdout when that is not a terminal. */
  server?: boolean;
  /** Build and transpile cache; default $TITAN_HOME/cache. Tests share one across homes. */
  cacheDir?: string;
};

export type KernelHome = {
  paths: HomePaths;
  config: KernelConfig;
  warnings: string[];
  bus: EventBus;
  logger: Logger;
  registry: Registry;
  patches: PatchQueue;
  db: SqlBackend;
  secrets: SecretStore;
  builtins: BuiltinDigests;
  withdrawals: GrantWithdrawals;
};

export async function openKernelHome(options: KernelOptions): Promise<KernelHome> {
  const env = options.env ?? process.env;
  const paths = homePaths(options.home ?? titanHome(env));
  if (options.cacheDir) paths.cache = options.cacheDir;
  // Created owner-only: the home holds the data, the keys and the tokens (an existing one is left as it is).
  await mkdir(paths.home, { recursive: true, mode: 0o700 });
  const { config, warnings } = options.loaded ?? (await loadConfig(paths.config, env, options.config));
  const logger =
    options.logToFile === false
      ? silentLogger
      : await createLogger({ logsDir: paths.logs, level: config.logLevel, target: config.logTo, server: options.server === true });
  const bus = new EventBus((error) => logger.error({ err: error }, 'event subscriber failed'));
  for (const warning of warnings) logger.warn(warning);
  const registry = await Registry.open(paths.registry);
  const patches = await PatchQueue.open(paths.patches, bus);
  const secrets = await SecretStore.open(paths.home);
  const db = await openDatabase(config.dbUrl || defaultDbUrl(paths.home));
  const builtins = await BuiltinDigests.open(path.join(paths.home, 'builtins.json'));
  const withdrawals = await GrantWithdrawals.open(withdrawalsFile(paths.home));
  return { paths, config, warnings, bus, logger, registry, patches, db, secrets, builtins, withdrawals };
}

/** Every kernel event goes to the log, component log lines aside (they are logged where they arrive). */
export function logBusEvents(bus: EventBus, logger: Logger): void {
  bus.onAny((type, payload) => {
    if (type === 'component.log') return;
    // A streamed answer chunk, a tool's arguments or output: debug only, and redacted (kernel/logger.ts).
    if (carriesContent(payload)) logger.debug({ event: type, ...(payload as object) }, String(type));
    else logger.info({ event: type, ...(payload as object) }, String(type));
  });
}
