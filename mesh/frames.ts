// A kept-open libp2p stream carrying one JSON message per length-prefixed frame. Writes are
// queued so concurrent senders never interleave frames; reading is one loop per stream.
import type { Stream } from '@libp2p/interface';
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import { decode, encode } from './messages.ts';

/** Largest frame accepted: task arguments and results, blob chunks. */
export const MAX_FRAME = 4 * 1024 * 1024;

export class FramedStream<In, Out> {
  readonly stream: Stream;
  readonly #lp: LengthPrefixedStream<Stream>;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(stream: Stream) {
    this.stream = stream;
    this.#lp = lpStream(stream, { maxDataLength: MAX_FRAME });
  }

  get closed(): boolean {
    return this.#closed || this.stream.status !== 'open';
  }

  send(message: Out): Promise<void> {
    const frame = encode(message);
    const next = this.#writing.then(() => this.#lp.write(frame));
    this.#writing = next.catch(() => {});
    return next;
  }

  /** Reads frames until the stream ends or fails; resolves with the reason it stopped. */
  async readAll(onMessage: (message: In) => void): Promise<Error | undefined> {
    try {
      for (;;) {
        const frame = await this.#lp.read();
        let message: In;
        try {
          message = decode<In>(frame.subarray());
        } catch {
          continue; // a frame that is not JSON is dropped, the stream stays usable
        }
        onMessage(message);
      }
    } catch (error) {
      this.#closed = true;
      return error as Error;
    }
  }

  close(): void {
    this.#closed = true;
    this.stream.abort(new Error('closed by this node'));
  }
}
