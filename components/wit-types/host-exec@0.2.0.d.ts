// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/exec@0.2.0' {
  export function run(command: string, cwd: string | null, timeoutMs: number): ExitStatus;
  export interface ExitStatus {
    /**
     * The exit code, or -1 when the command was ended by a signal.
     */
    code: number,
    signal?: string | null,
    timedOut: boolean,
    cancelled: boolean,
    /**
     * The whole output, also when it was streamed (cut to the grant's maximum).
     */
    stdout: string,
    stderr: string,
  }
}
