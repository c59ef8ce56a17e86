// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/secrets@0.2.0' {
  /**
   * True when the secret is set and the manifest names it.
   */
  export function has(name: string): boolean;
}
