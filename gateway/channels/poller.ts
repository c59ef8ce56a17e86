// Long polling for a channel whose manifest says it can (Telegram's getUpdates): ask from the
// stored offset, hand the batch to the channel component (which names the next offset), store the
// offset only after every update in the batch was claimed, so an update is never answered twice,
// even across a restart.
import type { Kernel } from '../../kernel/api.ts';
import type { ChannelSender } from './outbound.ts';

const POLL_TIMEOUT_SECONDS = 25;
const MAX_BACKOFF_MS = 30_000;

type Receive = (body: Uint8Array) => Promise<{ cursor?: string }>;

export class ChannelPoller {
  readonly #kernel: Kernel;
  readonly #channel: string;
  readonly #sender: ChannelSender;
  readonly #receive: Receive;
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;
  /** Resolves after each batch, for tests that wait for progress. */
  batches = 0;

  constructor(kernel: Kernel, channel: string, sender: ChannelSender, receive: Receive) {
    this.#kernel = kernel;
    this.#channel = channel;
    this.#sender = sender;
    this.#receive = receive;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async #run(): Promise<void> {
    let backoff = 1000;
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        const { value: cursor } = await this.#kernel.store.op('channels.cursor.get', { channel: this.#channel });
        const [response] = await this.#sender.fetchRaw({ op: 'poll', cursor, timeoutSeconds: POLL_TIMEOUT_SECONDS }, signal);
        const { cursor: next } = await this.#receive(response.body);
        if (next !== undefined && next !== cursor) await this.#kernel.store.op('channels.cursor.set', { channel: this.#channel, value: next });
        this.batches++;
        backoff = 1000;
      } catch (error) {
        if (signal.aborted) break;
        this.#kernel.logger.warn({ err: error, channel: this.#channel }, `${this.#channel} polling failed; retrying in ${backoff} ms`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, backoff);
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve(undefined);
            },
            { once: true },
          );
        });
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }
}
