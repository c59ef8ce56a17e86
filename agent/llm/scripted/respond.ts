// Plays a reply plan onto an HTTP response: frame by frame with the scripted delays, or as one
// body, with the scripted fault on cue, recording every write in the timeline.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Plan } from './reply.ts';
import type { Fault } from './script.ts';
import type { Timeline, TimelineEntry } from './timeline.ts';
import type { ErrorKind, ErrorOptions, ErrorResponse, ReplyContext, WireFormat } from './wire.ts';

export type Exchange = {
  req: IncomingMessage;
  res: ServerResponse;
  entry: TimelineEntry;
  timeline: Timeline;
};

type CuedFault = Extract<Fault, { afterChunks: number }>;

function isCued(fault: Fault | undefined): fault is CuedFault {
  return fault !== undefined && 'afterChunks' in fault;
}

/** Writes to the response, remembering how many writes the socket has not yet taken. */
class Writer {
  #outstanding = 0;
  #flushed: (() => void) | undefined;
  readonly closed: AbortController = new AbortController();
  readonly x: Exchange;

  constructor(x: Exchange) {
    this.x = x;
    x.res.once('close', () => {
      if (!x.res.writableFinished) this.closed.abort();
    });
  }

  async write(data: string, content: boolean): Promise<void> {
    this.#outstanding++;
    const more = this.x.res.write(data, () => {
      if (--this.#outstanding === 0) this.#flushed?.();
    });
    this.x.timeline.sent(this.x.entry, data, content);
    if (!more && !this.closed.signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.x.res.off('drain', done);
          this.closed.signal.removeEventListener('abort', done);
          resolve();
        };
        this.x.res.once('drain', done);
        this.closed.signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** Resolves once every write so far has reached the socket (so a disconnect cannot eat it). */
  flushed(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#flushed = resolve));
  }

  /** Waits `ms`; false when the client went away meanwhile. */
  async wait(ms: number): Promise<boolean> {
    if (ms > 0 && !this.closed.signal.aborted) {
      try {
        await sleep(ms, undefined, { signal: this.closed.signal });
      } catch {
        return false;
      }
    }
    return !this.closed.signal.aborted;
  }
}

function successHeaders(x: Exchange, contentType: string): Record<string, string> {
  const id = `req_titan${x.entry.id}`;
  return { 'content-type': contentType, 'x-request-id': id, 'request-id': id, 'cache-control': 'no-cache' };
}

/** An HTTP error in the provider's own format. */
export function respondError(x: Exchange, wire: WireFormat, kind: ErrorKind, options?: ErrorOptions): void {
  sendError(x, wire.error(kind, options));
}

export function sendError(x: Exchange, error: ErrorResponse): void {
  const data = JSON.stringify(error.body);
  x.entry.status = error.status;
  x.res.writeHead(error.status, error.headers);
  x.res.end(data);
  x.timeline.sent(x.entry, data, false);
  x.timeline.end(x.entry, 'http_error');
}

/** A JSON answer that is not a chat reply (models, embeddings). */
export function respondJson(x: Exchange, body: unknown, status = 200): void {
  const data = JSON.stringify(body);
  x.entry.status = status;
  x.res.writeHead(status, successHeaders(x, 'application/json'));
  x.res.end(data);
  x.timeline.sent(x.entry, data, false);
  x.timeline.end(x.entry, 'completed');
}

function disconnect(x: Exchange): void {
  x.timeline.end(x.entry, 'disconnected');
  x.res.socket?.destroy();
}

export async function respondChat(x: Exchange, wire: WireFormat, plan: Plan, ctx: ReplyContext): Promise<void> {
  const { fault } = plan;
  const writer = new Writer(x);
  const firstDelay = plan.firstDelayMs ?? plan.reply.blocks.find((b) => b.chunks.length > 0)?.delayMs ?? 0;
  if (fault !== undefined && !isCued(fault)) {
    if (!(await writer.wait(plan.firstDelayMs ?? 0))) return x.timeline.end(x.entry, 'client_closed');
    x.timeline.fault(x.entry, fault.kind);
    return respondError(x, wire, fault.kind, { status: fault.status, message: fault.message, retryAfterSeconds: fault.retryAfterSeconds });
  }
  x.entry.stream = ctx.summary.stream;
  if (!ctx.summary.stream) return respondWhole(x, writer, wire, plan, ctx, firstDelay);

  x.entry.status = 200;
  x.res.writeHead(200, { ...successHeaders(x, wire.streamContentType), connection: 'keep-alive' });
  x.res.flushHeaders();
  let sentContent = 0;
  let firstContent = true;
  let cue = isCued(fault) ? fault : undefined;
  for (const frame of wire.frames(plan.reply, ctx)) {
    if (cue !== undefined && ((frame.content && sentContent === cue.afterChunks) || (frame.tail && sentContent <= cue.afterChunks))) {
      const played = cue;
      cue = undefined;
      x.timeline.fault(x.entry, played.kind);
      if (played.kind === 'disconnect') {
        await writer.flushed();
        return disconnect(x);
      }
      if (played.kind === 'stream_error') {
        await writer.write(wire.streamError(played.error ?? 'overloaded', played.message), false);
        x.res.end();
        return x.timeline.end(x.entry, 'completed');
      }
      await writer.write(wire.malformed(played.raw), false);
    }
    if (frame.content) {
      const delay = firstContent ? firstDelay : frame.delayMs;
      firstContent = false;
      if (!(await writer.wait(delay))) return x.timeline.end(x.entry, 'client_closed');
    }
    if (writer.closed.signal.aborted) return x.timeline.end(x.entry, 'client_closed');
    await writer.write(frame.data, frame.content);
    if (frame.content) sentContent++;
  }
  x.res.end();
  x.timeline.end(x.entry, 'completed');
}

/** Non-streaming: waits as long as the stream would have taken, then sends one body (or the fault). */
async function respondWhole(x: Exchange, writer: Writer, wire: WireFormat, plan: Plan, ctx: ReplyContext, firstDelay: number): Promise<void> {
  const { fault } = plan;
  const delays = plan.reply.blocks.flatMap((b) => b.chunks.map(() => b.delayMs));
  if (delays.length > 0) delays[0] = firstDelay;
  const cut = isCued(fault) ? Math.min(fault.afterChunks, delays.length) : delays.length;
  if (!(await writer.wait(delays.slice(0, cut).reduce((a, b) => a + b, 0)))) return x.timeline.end(x.entry, 'client_closed');
  if (isCued(fault)) {
    x.timeline.fault(x.entry, fault.kind);
    if (fault.kind === 'disconnect') return disconnect(x);
    if (fault.kind === 'stream_error') return respondError(x, wire, fault.error ?? 'overloaded', { message: fault.message });
    const broken = fault.raw ?? JSON.stringify(wire.whole(plan.reply, ctx)).slice(0, 40);
    x.entry.status = 200;
    x.res.writeHead(200, successHeaders(x, 'application/json'));
    x.res.end(broken);
    x.timeline.sent(x.entry, broken, false);
    return x.timeline.end(x.entry, 'completed');
  }
  respondJson(x, wire.whole(plan.reply, ctx));
}
