// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/events@0.2.0' {
  /**
   * kind is a short tag ("progress", "output"), data is UTF-8 text or JSON.
   */
  export function emit(kind: string, data: string): void;
}
