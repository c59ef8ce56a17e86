// One Server-Sent Events answer, as every streaming route writes it (a thread's turn events, a job's
// log, the goals' events): headers out (with those the middleware set, e.g. CORS), a heartbeat so
// proxies keep the connection, a reader that falls too far behind cut off (it resumes from its last
// id), and closed with the client or when the gateway stops.
import type { GatewayState } from './deps.ts';
import type { Context } from 'koa';

const HEARTBEAT_MS = 15_000;
const MAX_BUFFERED = 8 * 1024 * 1024;

export type SseAnswer = {
  write(chunk: string): void;
  close(): void;
  readonly closed: boolean;
};

/** Takes the response over from Koa; `onClose` runs once, whoever closes (unsubscribe there). */
export function openSseAnswer(ctx: Context & { state: GatewayState }, streams: Set<{ close(): void }>, onClose: () => void): SseAnswer {
  const res = ctx.res;
  ctx.status = 200; // for the request metrics: Koa does not answer this one, the stream does
  ctx.respond = false;
  res.writeHead(200, {
    ...Object.fromEntries(Object.entries(ctx.response.headers).map(([k, v]) => [k, String(v)])),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  const answer: SseAnswer = {
    get closed() {
      return closed;
    },
    write(chunk) {
      if (closed) return;
      res.write(chunk);
      if (res.writableLength > MAX_BUFFERED) answer.close();
    },
    close() {
      if (closed) return;
      closed = true;
      onClose();
      clearInterval(heartbeat);
      streams.delete(answer);
      res.end();
    },
  };
  const heartbeat = setInterval(() => answer.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  streams.add(answer);
  res.on('close', () => answer.close());
  if (res.destroyed) answer.close(); // the client left while the route was getting ready
  return answer;
}
