// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:provider/provider@0.1.0' {
  export function describe(): Descriptor;
  /**
   * request-json: {"model", "messages": [{"role", "content", "tool_calls"?, "tool_call_id"?}],
   * "tools": [{"name", "description", "schema"}], "max_tokens"?, "temperature"?}. Always streamed.
   */
  export function encodeRequest(requestJson: string): HttpRequest;
  /**
   * Decodes the next text of the streamed body. state is "" at first, then what the previous call
   * returned. Answers {"state": "...", "events": [...]}; events are
   * {"type": "text", "text"}, {"type": "tool_call", "index", "id"?, "name"?, "arguments_delta"},
   * {"type": "usage", "input_tokens", "output_tokens"}, {"type": "stop", "reason"} and
   * {"type": "error", "code", "message"}.
   */
  export function decodeStream(state: string, chunk: string): string;
  /**
   * Maps an HTTP error to {"code": "rate_limited" | "overloaded" | "context_too_long" | "auth" |
   * "bad_request" | "server", "message", "retry_after_ms"?}.
   */
  export function decodeError(status: number, headers: Array<[string, string]>, body: string): string;
  export interface Descriptor {
    name: string,
    description: string,
    /**
     * JSON Schema of the provider's settings (base URL, model...), as JSON text.
     */
    configSchema: string,
  }
  export interface HttpRequest {
    method: string,
    /**
     * Appended to the configured base URL, e.g. "/v1/chat/completions".
     */
    path: string,
    headers: Array<[string, string]>,
    body: string,
  }
  export type ProviderError = ProviderErrorInvalidRequest | ProviderErrorDecode;
  /**
   * Titan's request cannot be expressed for this provider.
   */
  export interface ProviderErrorInvalidRequest {
    tag: 'invalid-request',
    val: string,
  }
  /**
   * The provider sent something this decoder does not understand.
   */
  export interface ProviderErrorDecode {
    tag: 'decode',
    val: string,
  }
}
