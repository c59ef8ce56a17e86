// The model providers as the Settings page shows them (the owner's): the chain the agent uses (the
// primary, then its fallbacks, and the background one), each with its model, address and where its
// key comes from, and the provider keys the secret store can hold. Keys are never answered.
import { Router } from '@koa/router';
import { PROVIDER_KEY_NAMES, type ProviderConfig } from '../../agent/api.ts';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';

type KeySource = 'environment' | 'secret store' | 'missing' | 'none needed';

export function providerRoutes({ kernel, llm }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  const keySource = (name: string | undefined): KeySource => {
    if (!name) return 'none needed';
    if (process.env[name]?.trim()) return 'environment';
    return kernel.secrets.has(name) ? 'secret store' : 'missing';
  };
  const describe = (provider: ProviderConfig, role: 'primary' | 'fallback' | 'background') => ({
    role,
    name: provider.name,
    component: provider.component,
    model: provider.model,
    baseUrl: provider.baseUrl,
    keyName: provider.apiKeyEnv ?? null,
    key: keySource(provider.apiKeyEnv),
  });

  router.get('/providers', (ctx) => {
    requireAdmin(ctx);
    const chain = llm?.providers ?? [];
    ctx.body = {
      configured: chain.length > 0,
      providers: [
        ...chain.map((provider, i) => describe(provider, i === 0 ? 'primary' : 'fallback')),
        ...(llm?.background ? [describe(llm.background, 'background')] : []),
      ],
      keys: PROVIDER_KEY_NAMES.map((name) => ({ name, source: keySource(name) })),
    };
  });

  return router;
}
