// Secrets at the boundary: a component writes {{secret:NAME}} in a header, the body or the URL's
// query, and the host puts the value in only for a host the grant names for that secret. The values placed in a
// request are cut out of its response (a server that echoes a header must not hand the guest the
// key), also when a value straddles two chunks of a streamed body.
import { HttpFailure } from './failure.ts';
import { secretAllowed, type Header, type HttpGrant } from './grant.ts';

export const SECRET_PLACEHOLDER = /\{\{secret:([A-Za-z][A-Za-z0-9_]{0,63})\}\}/g;
/** The longest placeholder: a streamed body holds back this much while a "{{" may still be one. */
const LONGEST_PLACEHOLDER = '{{secret:}}'.length + 64;
export const REDACTED = '[REDACTED]';

/** What the host offers to fill secrets: the value of a stored secret, by name. */
export type SecretLookup = (name: string) => Promise<string | undefined>;

/** Fills placeholders for one request hop; remembers every value it placed. */
export class SecretFiller {
  readonly placed = new Set<string>();
  readonly #grant: HttpGrant;
  readonly #lookup: SecretLookup | undefined;
  readonly #host: string;

  constructor(grant: HttpGrant, lookup: SecretLookup | undefined, host: string) {
    this.#grant = grant;
    this.#lookup = lookup;
    this.#host = host;
  }

  /** The value of every placeholder in the texts, refusing names not granted for this host. */
  async #values(texts: string[]): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    for (const text of texts) {
      for (const [, name] of text.matchAll(SECRET_PLACEHOLDER)) {
        if (values.has(name)) continue;
        if (!secretAllowed(this.#grant, name, this.#host)) {
          throw new HttpFailure('denied', 'TITAN_E_SECRET_DENIED', `the secret ${name} is not granted for ${this.#host}`);
        }
        const value = await this.#lookup?.(name);
        if (value === undefined) throw new HttpFailure('invalid', 'TITAN_E_SECRET_MISSING', `the secret ${name} is not set (titan secrets set ${name})`);
        values.set(name, value);
        this.placed.add(value);
      }
    }
    return values;
  }

  async headers(headers: Header[]): Promise<Header[]> {
    const values = await this.#values(headers.map(([, v]) => v));
    if (values.size === 0) return headers;
    return headers.map(([k, v]) => [k, v.replace(SECRET_PLACEHOLDER, (_m, name: string) => values.get(name) as string)]);
  }

  /**
   * A URL whose query names secrets (APIs that take a key as ?key=...): filled, percent-encoded.
   * Only the query: a placeholder in the path would change what the grant's path prefixes saw.
   */
  async url(url: URL): Promise<URL> {
    const values = await this.#values([url.search]);
    if (values.size === 0) return url;
    const filled = new URL(url.href);
    filled.search = url.search.replace(SECRET_PLACEHOLDER, (_m, name: string) => encodeURIComponent(values.get(name) as string));
    return filled;
  }

  /** A whole body: bytes read as latin1 so each byte is one character and binary survives. */
  async body(body: Uint8Array): Promise<Buffer> {
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1');
    if (!text.includes('{{secret:')) return Buffer.from(body);
    const values = await this.#values([text]);
    return Buffer.from(
      text.replace(SECRET_PLACEHOLDER, (_m, name: string) => utf8AsLatin1(values.get(name) as string)),
      'latin1',
    );
  }

  /** A streamed body, chunk by chunk: a placeholder split between chunks waits for its end. */
  streaming(): { push(chunk: Uint8Array): Promise<Buffer>; end(): Promise<Buffer> } {
    let carry: Buffer = Buffer.alloc(0);
    return {
      push: async (chunk) => {
        const joined = Buffer.concat([carry, chunk]);
        const open = joined.lastIndexOf('{{');
        const held = open >= 0 && joined.indexOf('}}', open) < 0 && joined.length - open < LONGEST_PLACEHOLDER ? open : joined.length;
        carry = joined.subarray(held);
        return this.body(joined.subarray(0, held));
      },
      end: async () => this.body(carry),
    };
  }
}

function utf8AsLatin1(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}

/** Cuts the given values out of a stream of chunks, also across chunk boundaries. */
export class StreamRedactor {
  readonly #values: Buffer[];
  readonly #hold: number;
  #carry: Buffer = Buffer.alloc(0);
  hits = 0;

  constructor(values: Iterable<string>) {
    this.#values = [...values].filter((v) => v.length > 0).map((v) => Buffer.from(v, 'utf8'));
    this.#hold = Math.max(0, ...this.#values.map((v) => v.length - 1));
  }

  get active(): boolean {
    return this.#values.length > 0;
  }

  #redact(buffer: Buffer): Buffer {
    let out = buffer;
    for (const value of this.#values) {
      if (out.indexOf(value) < 0) continue;
      const parts: Buffer[] = [];
      let from = 0;
      for (let at = out.indexOf(value); at >= 0; at = out.indexOf(value, from)) {
        parts.push(out.subarray(from, at), Buffer.from(REDACTED));
        from = at + value.length;
        this.hits++;
      }
      parts.push(out.subarray(from));
      out = Buffer.concat(parts);
    }
    return out;
  }

  push(chunk: Uint8Array): Buffer {
    if (!this.active) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const joined = this.#redact(Buffer.concat([this.#carry, chunk]));
    const keep = Math.min(this.#hold, joined.length);
    this.#carry = joined.subarray(joined.length - keep);
    return joined.subarray(0, joined.length - keep);
  }

  end(): Buffer {
    const rest = this.#redact(this.#carry);
    this.#carry = Buffer.alloc(0);
    return rest;
  }

  text(text: string): string {
    return this.active ? this.#redact(Buffer.from(text, 'utf8')).toString('utf8') : text;
  }
}
