// A job's log on disk: one JSON line per output chunk ({"s":"o"|"e","t":text}), written in order,
// cut (with a note) past its cap. A chunk's event goes out only once its line is written, so a
// reader that replays the file up to `written` and then follows the live events misses nothing and
// sees nothing twice.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

export type LogChunk = { stream: 'stdout' | 'stderr'; text: string };

export class JobLog {
  readonly #file: FileHandle;
  readonly #maxBytes: number;
  readonly #decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  #written = 0;
  #cut = false;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(file: FileHandle, maxBytes: number) {
    this.#file = file;
    this.#maxBytes = maxBytes;
  }

  /** A fresh log (an old one is replaced: after a restart the whole output is read again from the engine). */
  static async create(path: string, maxBytes: number): Promise<JobLog> {
    return new JobLog(await open(path, 'w'), maxBytes);
  }

  /** Bytes of the file written so far. */
  get written(): number {
    return this.#written;
  }

  /**
   * Appends a chunk; resolves with its text and the offset of its line once written (the offset is
   * where a replay stops and the live stream takes over). Calls are written in call order.
   */
  append(stream: 'stdout' | 'stderr', chunk: Buffer): Promise<{ text: string; offset: number }> {
    const text = this.#decoders[stream].write(chunk);
    const next = this.#queue.then(() => this.#write(stream, text));
    this.#queue = next.catch(() => {});
    return next;
  }

  async #write(stream: 'stdout' | 'stderr', text: string): Promise<{ text: string; offset: number }> {
    const offset = this.#written;
    if (!text || this.#cut) return { text, offset };
    let line = `${JSON.stringify({ s: stream === 'stdout' ? 'o' : 'e', t: text })}\n`;
    if (this.#written + Buffer.byteLength(line) > this.#maxBytes) {
      this.#cut = true;
      line = `${JSON.stringify({ s: 'e', t: `\n[titan: the log passed ${this.#maxBytes} bytes; the rest was not kept]\n` })}\n`;
    }
    const bytes = Buffer.from(line);
    await this.#file.write(bytes);
    this.#written += bytes.length;
    return { text, offset };
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#file.close();
  }
}

/** The chunks of a log file up to `end` bytes (its whole length when left out). */
export async function* readLog(path: string, end?: number): AsyncGenerator<LogChunk> {
  if (end === 0) return;
  // node:readline loads with the first log read, not with every start.
  const { createInterface } = await import('node:readline');
  const input = createReadStream(path, end === undefined ? {} : { end: end - 1 });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) {
      if (!line) continue;
      try {
        const { s, t } = JSON.parse(line) as { s: string; t: string };
        yield { stream: s === 'e' ? 'stderr' : 'stdout', text: t };
      } catch {
        // a line cut by a crash mid-write: the rest of the log is still worth reading
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  } finally {
    input.destroy();
  }
}
