// The kernel side of the host interfaces: logs go to the kernel log and the bus, emitted events
// to the bus, kv to the kv store, sql to the database, outbound requests to the bus (for /metrics).
import type { ComponentIdentity, HostServices, KvService, LogLevel, SqlService } from '../host-api/index.ts';
import type { LeakGuard } from '../common/leak-guard.ts';
import type { ComponentOverride } from './config.ts';
import type { EventBus } from './events.ts';
import type { KvStore } from './kv-store.ts';
import type { Logger } from './logger.ts';

/** The kv key under which a component reads the settings config.json gives it (read-only). */
export const SETTINGS_KEY = 'settings';

export function createHostServices(
  bus: EventBus,
  logger: Logger,
  kv: KvStore,
  sql?: SqlService,
  workspace?: string,
  leaks?: LeakGuard,
  overrides: Record<string, ComponentOverride> = {},
): HostServices {
  const slotOf = (c: ComponentIdentity) => `${c.kind}/${c.name}`;
  // What a component logs or streams (a command's output) reaches the log and the user: the leak
  // guard sees it first.
  const clean = <T>(value: T, source: string): T => (leaks ? leaks.redactValue(value, source) : value);
  return {
    log(component, level: LogLevel, message, fields) {
      const source = `component.log:${slotOf(component)}`;
      const [text, extra] = [clean(message, source), fields && clean(fields, source)];
      logger[level]({ component: slotOf(component), version: component.version, ...extra }, text);
      bus.emit('component.log', { slot: slotOf(component), version: component.version, level, message: text, fields: extra });
    },
    emit(component, callId, kind, data) {
      bus.emit('component.event', {
        slot: slotOf(component),
        version: component.version,
        callId,
        kind,
        data: clean(data, `component.event:${slotOf(component)}`),
      });
    },
    recordHttp(component, record) {
      bus.emit('http.request', { slot: slotOf(component), version: component.version, ...record });
    },
    kv: withSettings(kv, overrides),
    sql,
    workspace,
  };
}

/** The kv store with each configured component's settings readable under SETTINGS_KEY of its own namespace. */
function withSettings(kv: KvStore, overrides: Record<string, ComponentOverride>): KvService {
  const settings = new Map<string, string>();
  for (const [slot, override] of Object.entries(overrides)) if (override.settings) settings.set(slot.replace('/', '.'), JSON.stringify(override.settings));
  if (settings.size === 0) return kv;
  return {
    get: async (namespace, key) => (key === SETTINGS_KEY && settings.has(namespace) ? settings.get(namespace) : kv.get(namespace, key)),
    set: async (namespace, key, value, limits) => {
      if (key === SETTINGS_KEY && settings.has(namespace)) throw new Error('"settings" is given by config.json and cannot be changed by the component');
      return kv.set(namespace, key, value, limits);
    },
    delete: (namespace, key) => kv.delete(namespace, key),
    list: (namespace, prefix) => kv.list(namespace, prefix),
  };
}
