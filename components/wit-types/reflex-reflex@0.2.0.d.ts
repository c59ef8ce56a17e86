// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:reflex/reflex@0.2.0' {
  export function describe(): Descriptor;
  export function match(prompt: string): MatchResult | null;
  /**
   * Runs the plan with the slots; answers the text the user sees.
   */
  export function execute(slotsJson: string): string;
  /**
   * A self-test the kernel runs on a new version before it may serve.
   */
  export function smoke(): void;
  export interface Descriptor {
    name: string,
    description: string,
    /**
     * JSON Schema of the slots the reflex extracts, as JSON text.
     */
    configSchema: string,
  }
  export interface MatchResult {
    /**
     * 0.0 to 1.0: the kernel answers from the reflex only above its configured threshold.
     */
    confidence: number,
    /**
     * The extracted parameters as a JSON object.
     */
    slotsJson: string,
  }
}
