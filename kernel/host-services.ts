// The kernel side of the host interfaces: logs go to the kernel log and the bus, emitted events
// to the bus, kv to the kv store, sql to the database, outbound requests to the bus (for /metrics).
import type { ComponentIdentity, HostServices, LogLevel, SqlService } from '../host-api/index.ts';
import type { LeakGuard } from '../common/leak-guard.ts';
import type { EventBus } from './events.ts';
import type { KvStore } from './kv-store.ts';
import type { Logger } from './logger.ts';

export function createHostServices(bus: EventBus, logger: Logger, kv: KvStore, sql?: SqlService, workspace?: string, leaks?: LeakGuard): HostServices {
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
      bus.emit('component.event', { slot: slotOf(component), version: component.version, callId, kind, data: clean(data, `component.event:${slotOf(component)}`) });
    },
    recordHttp(component, record) {
      bus.emit('http.request', { slot: slotOf(component), version: component.version, ...record });
    },
    kv,
    sql,
    workspace,
  };
}
