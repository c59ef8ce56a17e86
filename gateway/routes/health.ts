// The two routes without a token: /api/health (the process answers) and /api/ready (the store is
// serving with its schema up to date, every deployed slot serves a version, and startup is over).
import { Router, type RouterContext } from '@koa/router';
import { TitanError } from '../../common/errors.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { httpError } from '../errors.ts';
import { warmFirstTurn } from '../first-turn-warm.ts';

export async function readiness({ kernel, starting }: Pick<GatewayDeps, 'kernel' | 'starting'>, started: { settled: boolean }): Promise<string[]> {
  const missing: string[] = [];
  if (starting && !started.settled) missing.push('the kernel is still starting');
  const components = kernel.components();
  const storeSlot = `store/${kernel.config.store}`;
  if (!components.some((c) => c.slot === storeSlot && c.version)) {
    missing.push(`${storeSlot} is not serving`);
  } else {
    try {
      const status = await kernel.store.status();
      if (status.pending.length) missing.push(`store migrations pending: ${status.pending.map((m) => `${m.version} (${m.name})`).join(', ')}`);
    } catch (error) {
      missing.push(`the store does not answer: ${(error as Error).message}`);
    }
  }
  for (const component of components) if (!component.version) missing.push(`${component.slot} is not serving`);
  const storage = kernel.storage.problem;
  if (storage)
    missing.push(
      `${storage.code}: the database ${storage.code === 'TITAN_E_DISK_FULL' ? 'cannot write (its disk is full)' : 'is unreachable'} since ${new Date(storage.since).toISOString()}: ${storage.reason}`,
    );
  return missing;
}

/**
 * The answer as JSON text with its type set as a header. Koa's body setter checks an object against
 * the global `Response`, whose first read loads undici (about 15 ms, 40 under load), and `ctx.type`
 * looks the type up in mime-types, which the start bundle loads on first use (bin/bundle/lazy-packages.ts):
 * the first ready answer, which a supervisor waits for, would wait for both.
 */
function answerJson(ctx: RouterContext<GatewayState>, value: unknown): void {
  ctx.set('content-type', 'application/json; charset=utf-8');
  ctx.body = JSON.stringify(value);
}

export function healthRoutes(deps: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  const started = { settled: false };
  void deps.starting?.then(
    () => (started.settled = true),
    () => {},
  );

  router.get('/health', (ctx) => {
    answerJson(ctx, { ok: true });
  });

  router.get('/ready', async (ctx) => {
    const missing = await readiness(deps, started);
    ctx.set('cache-control', 'no-store');
    if (missing.length === 0) {
      answerJson(ctx, { ok: true, components: deps.kernel.components().length });
      // Once this answer is out: what the first turn would load on its path (first-turn-warm.ts).
      ctx.res.once('finish', () => setImmediate(() => warmFirstTurn(ctx.app)));
      return;
    }
    const answer = httpError(new TitanError('TITAN_E_NOT_READY', `not ready: ${missing.join('; ')}`));
    ctx.status = answer.status;
    answerJson(ctx, { ok: false, missing, ...answer.body });
  });

  return router;
}
