// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/mesh@0.1.0' {
  export function peers(): Array<Peer>;
  /**
   * Runs a task on a peer able to run the named component; returns its JSON result.
   */
  export function submit(component: string, versionRange: string, input: string): string;
  export interface Peer {
    id: string,
    load: number,
    freeSlots: number,
  }
}
