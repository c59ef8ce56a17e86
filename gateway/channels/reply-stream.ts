// One answer shown in a chat as it grows: on platforms that can edit, the first message goes out
// once text starts and is edited as the answer grows, no more often than the platform allows; an
// answer longer than one message continues in further messages. Elsewhere the final text is sent.

export type ReplyTarget = {
  /** Sends a new message (the `part`-th of this answer) and answers its id. */
  send(text: string, part: number): Promise<string | undefined>;
  edit(messageId: string, text: string, part: number): Promise<void>;
};

export type ReplyLimits = { maxChars: number; canEdit: boolean; intervalMs: number };

/** Splits text into pieces of at most `max` characters, at a line or word break when one is near. */
export function splitText(text: string, max: number): string[] {
  const chars = [...text]; // code points: never split a surrogate pair
  const pieces: string[] = [];
  let start = 0;
  while (chars.length - start > max) {
    let end = start + max;
    const window = chars.slice(start, end).join('');
    const breakAt = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    if (breakAt > max / 2) end = start + [...window.slice(0, breakAt)].length + 1;
    pieces.push(chars.slice(start, end).join(''));
    start = end;
  }
  pieces.push(chars.slice(start).join(''));
  return pieces.filter((p) => p.trim() !== '');
}

export class ReplyStream {
  readonly #target: ReplyTarget;
  readonly #limits: ReplyLimits;
  /** Parts before this one were used by earlier messages of the same exchange (a notice). */
  readonly #firstPart: number;
  readonly #shown: Array<{ id: string | undefined; text: string }> = [];
  #text = '';
  /** The text the chat shows (or is being sent). */
  #renderedText = '';
  #lastFlush = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #finished = false;
  #failure: unknown;

  constructor(target: ReplyTarget, limits: ReplyLimits, firstPart = 0) {
    this.#target = target;
    this.#limits = limits;
    this.#firstPart = firstPart;
  }

  /** The answer so far. */
  update(text: string): void {
    this.#text = text;
    if (!this.#limits.canEdit || this.#finished || text.trim() === '') return;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer || this.#flushing) return;
    const wait = Math.max(0, this.#lastFlush + this.#limits.intervalMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#render(this.#text)
        .catch((error: unknown) => {
          this.#failure ??= error;
        })
        .finally(() => {
          this.#flushing = undefined;
          this.#lastFlush = Date.now();
          if (!this.#finished && this.#renderedText !== this.#text) this.#schedule();
        });
    }, wait);
  }

  /** Shows the final text; rejects when the platform refused (the first failure while streaming, too). */
  async finish(text: string): Promise<void> {
    this.#finished = true;
    this.#text = text;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    if (this.#limits.canEdit && this.#shown.length > 0) {
      const wait = this.#lastFlush + this.#limits.intervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await this.#render(text);
    if (this.#failure) throw this.#failure;
  }

  async #render(text: string): Promise<void> {
    this.#renderedText = text;
    const pieces = splitText(text, this.#limits.maxChars);
    for (const [i, piece] of pieces.entries()) {
      const shown = this.#shown[i];
      if (!shown) {
        const id = await this.#target.send(piece, this.#firstPart + i);
        this.#shown.push({ id, text: piece });
      } else if (shown.text !== piece && shown.id !== undefined) {
        await this.#target.edit(shown.id, piece, this.#firstPart + i);
        shown.text = piece;
      }
    }
  }
}
