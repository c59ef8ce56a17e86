// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:tool/tool@0.2.0' {
  export function describe(): Descriptor;
  /**
   * input is a JSON object; the result is JSON.
   */
  export function invoke(input: string): string;
  /**
   * A self-test the kernel runs on a new version before swapping it in.
   */
  export function smoke(): void;
  export interface Descriptor {
    name: string,
    description: string,
    /**
     * JSON Schema of the input object, as JSON text.
     */
    inputSchema: string,
    /**
     * True when a human must approve each call.
     */
    needsApproval: boolean,
  }
  export type ToolError = ToolErrorInvalidInput | ToolErrorFailed;
  /**
   * The input did not match the schema; the text says what is wrong.
   */
  export interface ToolErrorInvalidInput {
    tag: 'invalid-input',
    val: string,
  }
  /**
   * The tool ran and failed.
   */
  export interface ToolErrorFailed {
    tag: 'failed',
    val: string,
  }
}
