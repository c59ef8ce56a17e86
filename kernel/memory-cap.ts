// Caps a core module's linear memory by rewriting the maximum in its memory section before it is
// compiled. Worker resourceLimits do not bound wasm memory; this does, and an over-limit grow then
// fails inside the guest instead of eating the host.
import { TitanError } from '../common/errors.ts';

const MEMORY_SECTION = 5;
const PAGE = 65536;

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

/**
 * Returns the module with every defined memory's maximum set to at most `maxBytes`: the module
 * itself when that changes no byte (no memory defined, as in a QuickJS component's 1.3 MB engine
 * module, which imports its memory; or maxima already within the cap), else a copy.
 */
export function capMemory(module: Uint8Array, maxBytes: number): Uint8Array {
  const maxPages = Math.max(1, Math.floor(maxBytes / PAGE));
  const parts: Uint8Array[] = [module.subarray(0, 8)];
  let changed = false;
  let at = 8;
  while (at < module.length) {
    const id = module[at];
    const [size, bodyStart] = readLeb(module, at + 1);
    const end = bodyStart + size;
    if (id !== MEMORY_SECTION) {
      parts.push(module.subarray(at, end));
      at = end;
      continue;
    }
    let [count, p] = readLeb(module, bodyStart);
    const body = leb(count);
    for (let i = 0; i < count; i++) {
      const flags = module[p++];
      if (flags & ~1) throw new TitanError('TITAN_E_INVALID_COMPONENT', `memory with flags ${flags} (shared or 64-bit) cannot be capped`);
      let min: number;
      let max: number | undefined;
      [min, p] = readLeb(module, p);
      if (flags & 1) [max, p] = readLeb(module, p);
      // A memory that starts above the cap keeps its minimum (lowering it would break the module)
      // and can then never grow.
      const capped = Math.max(min, Math.min(max ?? Infinity, maxPages));
      body.push(1, ...leb(min), ...leb(capped));
    }
    const rewritten = Uint8Array.from([MEMORY_SECTION, ...leb(body.length), ...body]);
    changed ||= !Buffer.from(rewritten).equals(module.subarray(at, end));
    parts.push(rewritten);
    at = end;
  }
  return changed ? Buffer.concat(parts) : module;
}
