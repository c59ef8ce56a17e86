// GET /api/threads/:id/events: the thread's turn events as Server-Sent Events. Each event's `id:`
// is "<turnId>:<seq>"; a client that reconnects with Last-Event-ID (or ?lastEventId=) first gets
// what it missed, then the live stream. A client that cannot keep up is disconnected rather than
// buffered without bound: it resumes from its last id.
import { Router } from '@koa/router';
import type { GatewayDeps, GatewayRouter, GatewayState } from './deps.ts';
import { cursorOf, openStream, parseCursor } from './event-feed.ts';
import { ownThread } from './scope.ts';
import { openSseAnswer } from './sse-answer.ts';
import { ID, params } from './validate.ts';

export const SSE_PATH = /^\/api\/threads\/[^/]+\/events$/;
const PATH = { type: 'object', required: ['id'], properties: { id: ID } } as const;

export function sseRoutes({ kernel, feed, streams }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();

  router.get('/threads/:id/events', async (ctx) => {
    const { id } = params<{ id: string }>(ctx.params, PATH, 'the path');
    await ownThread(kernel, ctx.state.user.userId, id);
    const lastId = ctx.get('last-event-id') || (typeof ctx.query.lastEventId === 'string' ? ctx.query.lastEventId : '');
    const after = lastId ? parseCursor(lastId) : undefined;

    const early: string[] = [];
    let write = (chunk: string): void => void early.push(chunk);
    // Replay happens inside openStream: its events wait in `early` until the headers are out, so a
    // refused resume point can still be answered with a coded error.
    const off = await openStream(feed, id, after, (event) => write(`id: ${cursorOf(event)}\ndata: ${JSON.stringify(event)}\n\n`));
    const answer = openSseAnswer(ctx, streams, off);
    write = answer.write;
    write('retry: 2000\n\n');
    for (const chunk of early) write(chunk);
  });

  return router;
}
