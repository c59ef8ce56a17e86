// The kernel side of the host interfaces: logs go to the kernel log and the bus, emitted events
// to the bus, kv to the kv store, sql to the database, outbound requests to the bus (for /metrics).
import type { ComponentIdentity, HostServices, LogLevel, SqlService } from '../host-api/index.ts';
import type { EventBus } from './events.ts';
import type { KvStore } from './kv-store.ts';
import type { Logger } from './logger.ts';

export function createHostServices(bus: EventBus, logger: Logger, kv: KvStore, sql?: SqlService, workspace?: string): HostServices {
  const slotOf = (c: ComponentIdentity) => `${c.kind}/${c.name}`;
  return {
    log(component, level: LogLevel, message, fields) {
      logger[level]({ component: slotOf(component), version: component.version, ...fields }, message);
      bus.emit('component.log', { slot: slotOf(component), version: component.version, level, message, fields });
    },
    emit(component, callId, kind, data) {
      bus.emit('component.event', { slot: slotOf(component), version: component.version, callId, kind, data });
    },
    recordHttp(component, record) {
      bus.emit('http.request', { slot: slotOf(component), version: component.version, ...record });
    },
    kv,
    sql,
    workspace,
  };
}
