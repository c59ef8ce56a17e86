// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/html@0.2.0' {
  /**
   * url resolves relative links. Fails when the bytes are larger than the grant allows.
   */
  export function readable(html: Uint8Array, url: string): Page;
  export interface Link {
    text: string,
    href: string,
  }
  export interface Page {
    title: string,
    markdown: string,
    links: Array<Link>,
  }
}
