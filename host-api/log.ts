// titan:host/log: the component's lines go to the kernel log, tagged with who wrote them, at
// most at the rate the kernel allows a component (kernel/chatter.ts).
import type { HostInterface, LogLevel } from './types.ts';

const LEVELS = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);
const MAX_MESSAGE = 8192;

export const log: HostInterface = {
  name: 'log',
  versions: ['0.1.0', '0.2.0'],
  asyncFunctions: [],
  grantSchema: { type: 'object', additionalProperties: false, properties: {} },
  bind(context, version) {
    const write = (level: string, message: string, fields?: Record<string, string>) => {
      const safeLevel = LEVELS.has(level as LogLevel) ? (level as LogLevel) : 'info';
      const line = String(message).slice(0, MAX_MESSAGE);
      // A flood is cut here, in the guest's thread, before it is queued for the kernel.
      if (context.services.chatter && !context.services.chatter.allow(context.component, 'log', line.length)) return;
      context.services.log(context.component, safeLevel, line, fields);
    };
    const imports: Record<string, (...args: never[]) => void> = {
      log: (level: string, message: string) => write(level, message),
    };
    if (version !== '0.1.0') {
      imports.logFields = (level: string, message: string, fields: Array<[string, string]>) => write(level, message, Object.fromEntries(fields.slice(0, 64)));
    }
    return imports;
  },
};
