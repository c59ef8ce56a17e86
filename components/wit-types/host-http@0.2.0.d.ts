// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/http@0.2.0' {
  export function fetch(req: Request): Response;
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
  export type HttpError = HttpErrorDenied | HttpErrorTimeout | HttpErrorConnection;
  export interface HttpErrorDenied {
    tag: 'denied',
    val: string,
  }
  export interface HttpErrorTimeout {
    tag: 'timeout',
  }
  export interface HttpErrorConnection {
    tag: 'connection',
    val: string,
  }
}
