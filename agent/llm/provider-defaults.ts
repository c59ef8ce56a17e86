// A provider component's own defaults, read from the manifest of the version serving: the base URL
// and model when the environment names none, and how its API key is sent. Read per request, so a
// provider component published and deployed while Titan runs is used from the next request on.
import { TitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { ProviderConfig } from './provider-client.ts';

export function withManifestDefaults(kernel: Partial<Pick<Kernel, 'serving'>>, provider: ProviderConfig): ProviderConfig {
  const manifest = kernel.serving?.('provider', provider.component);
  const section = manifest?.provider;
  const resolved: ProviderConfig = {
    ...provider,
    baseUrl: provider.baseUrl || (section?.baseUrl ?? '').replace(/\/+$/, ''),
    model: provider.model || (section?.model ?? ''),
    ...(provider.keyHeader || section?.keyHeader ? { keyHeader: provider.keyHeader ?? section?.keyHeader } : {}),
  };
  const prefix = provider.name.toUpperCase().replace(/-/g, '_');
  // Said before anything is encoded or sent: the provider may be published and deployed any time.
  if (kernel.serving && !manifest)
    throw new TitanError('TITAN_E_PROVIDER_NOT_DEPLOYED', `no provider component named "${provider.component}" is deployed`, {
      details: { provider: provider.name },
    });
  if (resolved.baseUrl) return resolved;
  throw new TitanError(
    'TITAN_E_PROVIDER_NOT_DEPLOYED',
    `provider/${provider.component} serves, but neither ${prefix}_BASE_URL nor its manifest gives a base URL`,
    {
      details: { provider: provider.name },
    },
  );
}
