// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/tools@0.2.0' {
  export function invoke(name: string, input: string): string;
}
