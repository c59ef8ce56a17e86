// Sending for a channel: its component encodes a reply into platform requests, the host completes
// them (the API base URL, the secrets the component named as {{secret:NAME}}) and sends them, and
// the component reads each answer (the message id to edit later, or why it failed).
import { TitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/api.ts';
import type { ChannelSecrets } from './secrets.ts';

type WireRequest = { method: string; path: string; headers: Array<[string, string]>; body: Uint8Array };
type WireResponse = { status: number; headers: Array<[string, string]>; body: Uint8Array };

export type ReplyOp =
  | { op: 'send'; context: unknown; text: string; part: number }
  | { op: 'edit'; context: unknown; text: string; part: number; messageId: string }
  | { op: 'poll'; cursor: string | null; timeoutSeconds: number };

export type Sent = { ok: boolean; messageId?: string; status?: number; error?: string; retryAfterMs?: number };

/** Waits after a platform's rate limit, at most this long and this many times per request. */
const MAX_RETRY_WAIT_MS = 30_000;
const MAX_RETRIES = 2;
/** A platform API that does not answer within this is given up on (polls add their own long wait). */
const REQUEST_TIMEOUT_MS = 30_000;
const SECRET_REF = /\{\{secret:([a-z0-9-]+)\}\}/g;

export class ChannelSender {
  readonly #kernel: Kernel;
  readonly #name: string;
  readonly #base: URL;
  readonly #secrets: ChannelSecrets;
  readonly #fetch: typeof fetch;

  constructor(kernel: Kernel, name: string, apiUrl: string, secrets: ChannelSecrets, fetchImpl: typeof fetch = fetch) {
    this.#kernel = kernel;
    this.#name = name;
    this.#base = new URL(apiUrl.replace(/\/+$/, ''));
    this.#secrets = secrets;
    this.#fetch = fetchImpl;
  }

  async #encode(reply: ReplyOp): Promise<WireRequest[]> {
    return (await this.#kernel.call('channel', this.#name, 'encode-outbound', [JSON.stringify(reply)])) as WireRequest[];
  }

  /** Replaces {{secret:NAME}} with the value; only the channel's outbound secrets may be named. */
  #inject(text: string): string {
    return text.replace(SECRET_REF, (_, secret: string) => {
      const value = this.#secrets.outbound(secret);
      if (value === undefined)
        throw new TitanError('TITAN_E_CHANNEL_CONFIG', `the ${this.#name} channel asked for the secret "${secret}", which is not set or not one it may send`);
      return value;
    });
  }

  /** A secret never appears in an error or log line. */
  #scrub(text: string): string {
    let out = text;
    for (const value of this.#secrets.values()) out = out.split(value).join('***');
    return out;
  }

  /** The full URL of a component's request: always under the configured API base. */
  #url(path: string): string {
    if (!path.startsWith('/') || path.startsWith('//'))
      throw new TitanError('TITAN_E_CHANNEL_SEND', `the ${this.#name} channel made a request outside its API: ${path.slice(0, 80)}`);
    const url = new URL(this.#base.href.replace(/\/$/, '') + this.#inject(path));
    if (url.origin !== this.#base.origin || !url.pathname.startsWith(this.#base.pathname.replace(/\/$/, '') + '/')) {
      throw new TitanError('TITAN_E_CHANNEL_SEND', `the ${this.#name} channel made a request outside its API base ${this.#base.href}`);
    }
    return url.href;
  }

  /** `waitMs`: how long the platform may hold the request on purpose (a long poll). */
  async #fetchOne(request: WireRequest, signal?: AbortSignal, waitMs = 0): Promise<WireResponse> {
    const headers = request.headers.map(([k, v]) => [k, this.#inject(v)] as [string, string]);
    let response: Response;
    try {
      const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS + waitMs);
      response = await this.#fetch(this.#url(request.path), {
        method: request.method,
        headers,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        body: request.method === 'GET' || request.method === 'HEAD' ? undefined : Buffer.from(request.body),
      });
    } catch (error) {
      if (error instanceof TitanError || signal?.aborted) throw error;
      throw new TitanError('TITAN_E_CHANNEL_SEND', `${this.#name}: the platform API could not be reached: ${this.#scrub((error as Error).message)}`);
    }
    const body = new Uint8Array(await response.arrayBuffer());
    const responseHeaders: Array<[string, string]> = [];
    response.headers.forEach((value, key) => {
      responseHeaders.push([key, value]);
    });
    return { status: response.status, headers: responseHeaders, body };
  }

  /** The platform's raw answers (for polling, where the answer is the inbound batch). */
  async fetchRaw(reply: ReplyOp, signal?: AbortSignal): Promise<WireResponse[]> {
    const requests = await this.#encode(reply);
    const out: WireResponse[] = [];
    const waitMs = reply.op === 'poll' ? reply.timeoutSeconds * 1000 : 0;
    for (const request of requests) out.push(await this.#fetchOne(request, signal, waitMs));
    return out;
  }

  /** Sends a reply; answers the last request's result (the message id of a send). Throws when the platform refused. */
  async perform(reply: ReplyOp): Promise<Sent> {
    // What goes to a platform passes the leak guard (the answer did already; this is the channel's own check).
    if (reply.op !== 'poll') reply = { ...reply, text: this.#kernel.leaks.redact(reply.text, `channel:${this.#name}`) };
    const requests = await this.#encode(reply);
    let last: Sent = { ok: true };
    for (const request of requests) {
      for (let attempt = 0; ; attempt++) {
        const response = await this.#fetchOne(request);
        last = JSON.parse((await this.#kernel.call('channel', this.#name, 'decode-sent', [response])) as string) as Sent;
        if (last.ok) break;
        if (last.retryAfterMs !== undefined && attempt < MAX_RETRIES) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(last.retryAfterMs ?? 0, MAX_RETRY_WAIT_MS)));
          continue;
        }
        throw new TitanError('TITAN_E_CHANNEL_SEND', `${this.#name} refused ${reply.op}: ${this.#scrub(last.error ?? `HTTP ${last.status}`)}`);
      }
    }
    return last;
  }
}
