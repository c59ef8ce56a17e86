// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:channel/channel@0.1.0' {
  export function describe(): Descriptor;
  /**
   * `secret-headers` are the values the host computed for the platform's verification (e.g. an
   * HMAC of the body with the channel's secret), so the component checks without holding secrets.
   */
  export function decodeInbound(request: HttpRequest, secretHeaders: Array<[string, string]>): Inbound;
  /**
   * A reply (JSON: thread, text, attachments) as the platform requests that deliver it.
   */
  export function encodeOutbound(replyJson: string): Array<HttpRequest>;
  export interface Descriptor {
    name: string,
    description: string,
    /**
     * JSON Schema of the channel's settings (bot id, webhook path...), as JSON text.
     */
    configSchema: string,
  }
  export interface HttpRequest {
    method: string,
    /**
     * For inbound requests: the path and query the platform called; outbound: appended to the platform's base URL.
     */
    path: string,
    headers: Array<[string, string]>,
    body: Uint8Array,
  }
  export interface HttpResponse {
    status: number,
    headers: Array<[string, string]>,
    body: Uint8Array,
  }
  export type ChannelError = ChannelErrorUnauthenticated | ChannelErrorMalformed;
  /**
   * The request is not from the platform (bad signature, failed verification handshake).
   */
  export interface ChannelErrorUnauthenticated {
    tag: 'unauthenticated',
    val: string,
  }
  /**
   * The payload is not one this channel understands.
   */
  export interface ChannelErrorMalformed {
    tag: 'malformed',
    val: string,
  }
  /**
   * What an inbound request means: kernel messages as JSON (sender, external thread id, text or a
   * placeholder for what the channel cannot handle) and the immediate HTTP answer to the platform.
   */
  export interface Inbound {
    messagesJson: string,
    response: HttpResponse,
  }
}
