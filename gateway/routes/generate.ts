// POST /api/components/generate: the agent's model writes a new channel or provider from a
// description; it is built, published and proposed as a verified patch (kernel/generate.ts), which
// the owner then approves and deploys like any other. Owner only.
import { Router } from '@koa/router';
import { llmSourceModel } from '../../agent/api.ts';
import { TitanError } from '../../common/errors.ts';
import { generateComponent } from '../../kernel/api.ts';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { body } from '../validate.ts';

const GENERATE = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'name', 'description'],
  properties: {
    kind: { enum: ['channel', 'provider'] },
    name: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' },
    description: { type: 'string', minLength: 10, maxLength: 4000 },
    version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
  },
} as const;

/** A model answer takes minutes at most; a request never hangs on one forever. */
const GENERATE_TIMEOUT_MS = 5 * 60_000;

export function generateRoutes({ kernel, llm }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  router.post('/components/generate', async (ctx) => {
    requireAdmin(ctx);
    const input = body<{ kind: 'channel' | 'provider'; name: string; description: string; version?: string }>(ctx.request.body, GENERATE);
    if (!llm?.configured) {
      throw new TitanError('TITAN_E_GENERATE_FAILED', 'no model is configured to write the component', {
        fix: 'start Titan with a provider (TITAN_PROVIDER) and run this against it, or write the component yourself (titan new)',
      });
    }
    const result = await generateComponent(kernel, llmSourceModel(llm), input, AbortSignal.timeout(GENERATE_TIMEOUT_MS));
    ctx.status = 201;
    ctx.body = result;
  });
  return router;
}
