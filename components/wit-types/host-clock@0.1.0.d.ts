// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/clock@0.1.0' {
  /**
   * Milliseconds since the Unix epoch.
   */
  export function nowMs(): number;
  /**
   * Nanoseconds from an arbitrary start, for measuring durations.
   */
  export function monotonicNs(): number;
}
