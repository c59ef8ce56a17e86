// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/log@0.2.0' {
  export function log(level: Level, message: string): void;
  /**
   * Structured fields beside the message (request ids, counts), kept as separate log keys.
   */
  export function logFields(level: Level, message: string, fields: Array<[string, string]>): void;
  /**
   * # Variants
   * 
   * ## `"debug"`
   * 
   * ## `"info"`
   * 
   * ## `"warn"`
   * 
   * ## `"error"`
   */
  export type Level = 'debug' | 'info' | 'warn' | 'error';
}
