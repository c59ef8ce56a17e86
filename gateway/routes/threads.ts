// Threads and what happens in them: list and create, history with paging, delete one for good or
// clear all of the user's, send a message (answered once it is committed), interrupt a turn.
import { Router } from '@koa/router';
import { TitanError } from '../../common/errors.ts';
import { forgetThreadsInReflexes, threadIdsOf, type Agent } from '../../agent/api.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { ownThread, ownTurn } from '../scope.ts';
import { body, ID, params } from '../validate.ts';

const PAGE = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 }, before: { type: 'integer', minimum: 0 } },
} as const;
const WITH_ID = { type: 'object', required: ['id'], properties: { id: ID } } as const;
const NEW_THREAD = { type: 'object', additionalProperties: false, properties: { title: { type: 'string', maxLength: 200 } } } as const;
const NEW_MESSAGE = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: {
    text: { type: 'string', minLength: 1, maxLength: 200_000, pattern: '\\S' },
    // "person": typed by someone in a chat client (the web UI, titan chat), who may be onboarded;
    // by default a message comes from a program (a script with a token), which never is.
    origin: { type: 'string', enum: ['person', 'program'] },
  },
} as const;

type Page = { limit: number; before?: number };
const STOP_WAIT_MS = 5000;

/** Interrupts the running turns `which` selects and waits (bounded) for them to end. */
async function stopTurns(agent: Agent, by: string, which: (threadId: string) => Promise<boolean>): Promise<void> {
  const runs = [];
  for (const run of agent.running()) if (await which(run.threadId)) runs.push(run);
  if (runs.length === 0) return;
  for (const run of runs) agent.interrupt(run.turnId, by);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(runs.map((r) => r.done)), new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
  clearTimeout(timer);
}

export function threadRoutes({ kernel, agent }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  const store = kernel.store;
  const threadId = (ctx: { params: Record<string, string> }) => params<{ id: string }>(ctx.params, WITH_ID, 'the path').id;

  router.get('/threads', async (ctx) => {
    const page = params<Page>(ctx.query, PAGE);
    const threads = await store.listThreads({ userId: ctx.state.user.userId, limit: page.limit, beforeUpdatedAt: page.before });
    ctx.body = { threads, next: threads.length === page.limit ? threads.at(-1)!.updated_at : null };
  });

  router.post('/threads', async (ctx) => {
    const input = body<{ title?: string }>(ctx.request.body, NEW_THREAD);
    ctx.status = 201;
    ctx.body = await agent.createThread(ctx.state.user.userId, input.title);
  });

  router.get('/threads/:id', async (ctx) => {
    ctx.body = await ownThread(kernel, ctx.state.user.userId, threadId(ctx));
  });

  router.get('/threads/:id/messages', async (ctx) => {
    const id = threadId(ctx);
    const page = params<Page>(ctx.query, PAGE);
    await ownThread(kernel, ctx.state.user.userId, id);
    const messages = await store.listMessages(id, page.limit, page.before);
    ctx.body = { messages, next: messages.length === page.limit ? messages[0].pos : null };
  });

  router.post('/threads/:id/messages', async (ctx) => {
    const id = threadId(ctx);
    const { text, origin } = body<{ text: string; origin?: 'person' | 'program' }>(ctx.request.body, NEW_MESSAGE);
    // send() resolves once the message is committed (the store checks the thread is the caller's
    // in the same transaction); the turn then runs on its own.
    const sent = await agent.send(ctx.state.user.userId, id, text, { origin }).catch((error: unknown) => {
      throw error instanceof TitanError && error.code === 'TITAN_E_NOT_FOUND' ? new TitanError('TITAN_E_NOT_FOUND', `no thread ${id}`) : error;
    });
    ctx.status = 202;
    ctx.body = { threadId: id, turnId: sent.turnId, messageId: sent.messageId };
  });

  router.delete('/threads/:id', async (ctx) => {
    const id = threadId(ctx);
    const { userId } = ctx.state.user;
    await ownThread(kernel, userId, id);
    await stopTurns(agent, userId, async (t) => t === id);
    const deleted = await store.deleteThread(userId, id);
    // The store removed what memory derived from the thread in the same transaction; memory's own indexes follow.
    agent.memory?.forgetThreads(userId, [id]);
    // Reflexes learned only from its turns, and answers precomputed for it, go too.
    const forgotten = agent.reflexes && (await forgetThreadsInReflexes(agent.reflexes, store, [id]));
    ctx.body = { deleted, ...(forgotten && { forgotten }) };
  });

  router.delete('/threads', async (ctx) => {
    const { userId } = ctx.state.user;
    await stopTurns(agent, userId, (t) =>
      ownThread(kernel, userId, t).then(
        () => true,
        () => false,
      ),
    );
    const threads = agent.reflexes ? await threadIdsOf(store, userId) : [];
    const deleted = await store.clearThreads(userId);
    agent.memory?.forgetThreads(userId);
    const forgotten = agent.reflexes && (await forgetThreadsInReflexes(agent.reflexes, store, threads));
    ctx.body = { deleted, ...(forgotten && { forgotten }) };
  });

  router.post('/turns/:id/interrupt', async (ctx) => {
    const id = params<{ id: string }>(ctx.params, WITH_ID, 'the path').id;
    const turn = await ownTurn(kernel, ctx.state.user.userId, id);
    if (!agent.interrupt(id, ctx.state.user.userId)) {
      throw new TitanError('TITAN_E_TURN_STATE', `turn ${id} is ${turn.state}, not running`, { fix: 'only a running turn can be interrupted' });
    }
    ctx.body = { turnId: id, interrupted: true };
  });

  return router;
}
