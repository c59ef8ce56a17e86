// What the kernel's components import, wired to the kernel: the host services over its bus, logger,
// kv, database, workspace and secrets, the leak guard in front of them, the chatter limits, the
// worker threads, and the store client its own data goes through.
import { LeakGuard } from '../common/leak-guard.ts';
import type { SecretStore } from '../common/secret-store.ts';
import type { SqlBackend } from '../host-api/db/backend.ts';
import { createSqlService, DEFAULT_RETRY } from '../host-api/db/sql-service.ts';
import type { StorageHealth } from '../host-api/db/storage-health.ts';
import type { HostServices } from '../host-api/index.ts';
import type { ComponentKind } from '../registry/manifest.ts';
import { ChatterLimiter } from './chatter.ts';
import type { KernelConfig } from './config.ts';
import type { CallOptions } from './deployment.ts';
import type { EventBus } from './events.ts';
import { createHostServices } from './host-services.ts';
import type { KvStore } from './kv-store.ts';
import type { Logger } from './logger.ts';
import { StoreClient } from './store-client.ts';
import { WorkerHost } from './worker-host.ts';

/** What the kernel has made by the time it wires its services. */
export type ServiceSources = {
  bus: EventBus;
  logger: Logger;
  kv: KvStore;
  db: SqlBackend;
  storage: StorageHealth;
  workspace: string;
  secrets: SecretStore;
  config: KernelConfig;
};

/** The kernel's call: tools and the store are components too. */
type Call = (kind: ComponentKind, name: string, fn: string, args: unknown[], options?: CallOptions) => Promise<unknown>;

export type KernelServices = { services: HostServices; leaks: LeakGuard; store: StoreClient; chatter: ChatterLimiter; workers: WorkerHost };

export function wireServices(from: ServiceSources, call: Call, warn: (message: string) => void): KernelServices {
  const { bus, config, secrets } = from;
  const sql = createSqlService(from.db, (message) => bus.emit('kernel.warning', { message }), DEFAULT_RETRY, from.storage);
  const leaks = new LeakGuard(
    () => secrets.values(),
    (hit) => bus.emit('secret.redacted', hit),
  );
  const services = createHostServices(bus, from.logger, from.kv, sql, from.workspace, leaks, config.components);
  services.secret = (name) => secrets.value(name);
  // titan:host/tools (reflexes): the serving tool components, under the caller's call id.
  services.tools = { invoke: (_caller, callId, name, input) => call('tool', name, 'invoke', [input], { callId }) as Promise<string> };
  const store = new StoreClient(
    (kind, name, fn, args) => call(kind, name, fn, args),
    config.store,
    (handle) => sql.take(handle),
  );
  const rates = { log: config.componentLogRate, event: config.componentEventRate };
  const chatter = new ChatterLimiter(rates, (who, kind) =>
    warn(
      `${who} ${kind === 'log' ? 'logs' : 'emits events'} faster than ${rates[kind]} a second: the excess is dropped and counted (titan_component_chatter_dropped_total)`,
    ),
  );
  services.chatter = chatter;
  const workers = new WorkerHost(services, config.workerThreads, chatter, rates);
  return { services, leaks, store, chatter, workers };
}
