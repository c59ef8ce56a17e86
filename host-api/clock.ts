// titan:host/clock: guests have no clock of their own (WASI is stubbed out); this is it.
import type { HostInterface } from './types.ts';

export const clock: HostInterface = {
  name: 'clock',
  versions: ['0.1.0', '0.2.0'],
  asyncFunctions: [],
  grantSchema: { type: 'object', additionalProperties: false, properties: {} },
  bind(_context, version) {
    const imports: Record<string, () => bigint | number> = {
      nowMs: () => BigInt(Date.now()),
      monotonicNs: () => process.hrtime.bigint(),
    };
    if (version !== '0.1.0') imports.timezoneOffsetMinutes = () => -new Date().getTimezoneOffset();
    return imports;
  },
};
