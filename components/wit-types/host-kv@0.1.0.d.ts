// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/kv@0.1.0' {
  export function get(key: string): string | null;
  /**
   * Fails when the value is larger, or the namespace fuller, than the manifest allows.
   */
  export function set(key: string, value: string): void;
  export { _delete as delete };
  function _delete(key: string): boolean;
  export function listKeys(prefix: string): Array<string>;
}
