// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/code-graph@0.2.0' {
  export function query(what: string, target: string, limit: number): string;
}
