// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/http@0.2.0' {
  /**
   * The whole exchange at once.
   */
  export function fetch(req: Request): Response;
  /**
   * Opens a request whose body is written in pieces; answers a handle once the request passed the
   * grant and is connecting. A request without a body calls `finish` next.
   */
  export function start(method: string, url: string, headers: Array<[string, string]>): number;
  export function write(handle: number, chunk: Uint8Array): void;
  /**
   * Ends the request body and waits for the response's status and headers.
   */
  export function finish(handle: number): ResponseHead;
  /**
   * The next piece of the response body (at most max-bytes); none at its end.
   */
  export function read(handle: number, maxBytes: number): Uint8Array | null;
  /**
   * Drops the exchange, also halfway; a handle also goes at the end of its body or its time limit.
   */
  export function close(handle: number): void;
  export interface Request {
    method: string,
    url: string,
    headers: Array<[string, string]>,
    body: Uint8Array,
  }
  export interface Response {
    status: number,
    headers: Array<[string, string]>,
    body: Uint8Array,
  }
  export type HttpError = HttpErrorDenied | HttpErrorTimeout | HttpErrorTooLarge | HttpErrorConnection | HttpErrorInvalid;
  /**
   * Outside the grant, a private address, a redirect off the grant, or a secret not granted.
   */
  export interface HttpErrorDenied {
    tag: 'denied',
    val: string,
  }
  /**
   * The exchange passed the grant's time limit.
   */
  export interface HttpErrorTimeout {
    tag: 'timeout',
    val: string,
  }
  /**
   * The response passed the grant's size cap (it was cut there), or the request body did.
   */
  export interface HttpErrorTooLarge {
    tag: 'too-large',
    val: string,
  }
  export interface HttpErrorConnection {
    tag: 'connection',
    val: string,
  }
  /**
   * A malformed URL or header, or a secret that is not set.
   */
  export interface HttpErrorInvalid {
    tag: 'invalid',
    val: string,
  }
  /**
   * A response whose body is read in pieces with `read`.
   */
  export interface ResponseHead {
    status: number,
    headers: Array<[string, string]>,
    url: string,
  }
}
