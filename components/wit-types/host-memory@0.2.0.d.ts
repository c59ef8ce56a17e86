// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/memory@0.2.0' {
  /**
   * {"query": "...", "limit": 10, "kinds": ["note"], "pathPrefix": "notes/", "since": ms, "until": ms}
   */
  export function search(request: string): string;
  /**
   * The document's text and its summary and keywords.
   */
  export function read(path: string): string;
  /**
   * A Markdown or text note at a path inside the workspace; answers what was indexed.
   */
  export function write(path: string, content: string): string;
  /**
   * {"entities": ["name", ...], "hops": 2, "limit": 20} or {"communities": 10}
   */
  export function graph(request: string): string;
}
