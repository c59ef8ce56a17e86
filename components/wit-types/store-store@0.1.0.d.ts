// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:store/store@0.1.0' {
  export function describe(): Descriptor;
  /**
   * Brings the schema forward to `schema-version`, recording each step; returns the version
   * reached. Runs before the kernel switches to this store version. Emits progress events.
   */
  export function migrate(): number;
  /**
   * One named operation ("messages.append", "threads.delete", ...) with JSON input and output.
   */
  export function request(op: string, input: string): string;
  export interface Descriptor {
    name: string,
    description: string,
    /**
     * JSON Schema of the store's settings, as JSON text.
     */
    configSchema: string,
    /**
     * The newest schema version this component migrates to.
     */
    schemaVersion: number,
  }
  export type StoreError = StoreErrorNotFound | StoreErrorConflict | StoreErrorInvalid | StoreErrorDatabase;
  export interface StoreErrorNotFound {
    tag: 'not-found',
    val: string,
  }
  /**
   * The data conflicts with what is stored (a duplicate, a refused state change).
   */
  export interface StoreErrorConflict {
    tag: 'conflict',
    val: string,
  }
  /**
   * The request itself is malformed.
   */
  export interface StoreErrorInvalid {
    tag: 'invalid',
    val: string,
  }
  /**
   * The database failed, even after retries.
   */
  export interface StoreErrorDatabase {
    tag: 'database',
    val: string,
  }
}
