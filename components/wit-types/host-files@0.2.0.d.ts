// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/files@0.2.0' {
  export function read(path: string, maxBytes: number): string;
  /**
   * Returns the number of bytes written.
   */
  export function write(path: string, content: string): number;
  export function listDir(path: string): Array<string>;
}
