// `titan onboard`'s checks before anything is written: the provider's address asked for its model
// list when it can be reached (an unreachable one is said plainly and is no error: the machine may
// be offline), a key the provider refuses is an error, and a PostgreSQL store must answer.
import { TitanError } from '../../common/errors.ts';
import { providerConfig } from '../../agent/llm/providers-config.ts';
import { withConfiguredProvider, type ProviderSection } from '../../agent/llm/provider-section.ts';
import { probeRequest } from '../doctor/services.ts';
import { keyNameOf } from './setup.ts';

export type ProviderCheck = { state: 'answers' | 'unreachable' | 'not checked'; detail: string };

const PROBE_MS = 3000;

/** The provider asked for its models with `key` (or none). Throws a coded error for a setup that cannot work. */
export async function checkProvider(section: ProviderSection, key: string | undefined): Promise<ProviderCheck> {
  if (!section.name) return { state: 'not checked', detail: 'no provider chosen' };
  if (section.name === 'scripted' && !section.baseUrl)
    return { state: 'not checked', detail: 'titan start runs its own scripted server (echo mode): nothing to reach' };
  const keyName = keyNameOf(section.name);
  const env = withConfiguredProvider(keyName && key ? { [keyName]: key } : {}, section);
  let provider;
  try {
    provider = providerConfig(section.name, env, true);
  } catch (error) {
    // A missing key, a bad address: said with the provider's own words, as a choice to correct.
    throw new TitanError('TITAN_E_ONBOARD_PROVIDER', (error as Error).message, { fix: (error as TitanError).fix });
  }
  const { url, headers } = probeRequest(provider, key);
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(PROBE_MS) });
    await response.body?.cancel();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const why = (error as Error).name === 'TimeoutError' ? `no answer in ${PROBE_MS / 1000} s` : (cause ?? (error as Error).message);
    return { state: 'unreachable', detail: `${provider.baseUrl} cannot be reached from here (${why}): saved untested; \`titan doctor\` checks it later` };
  }
  if (response.status === 401 || response.status === 403) {
    throw new TitanError('TITAN_E_ONBOARD_KEY_REFUSED', `${provider.baseUrl} refuses the key (HTTP ${response.status}): nothing was written`);
  }
  if (!response.ok) return { state: 'answers', detail: `${url} answers HTTP ${response.status}: check it is the provider's API address` };
  return { state: 'answers', detail: `${provider.baseUrl} answers (model ${provider.model})` };
}

/** A PostgreSQL URL is opened and closed again; libSQL (empty) needs no check. */
export async function checkStore(dbUrl: string): Promise<string> {
  if (dbUrl === '') return 'libSQL file in $TITAN_HOME (titan.db)';
  if (!/^postgres(ql)?:\/\//.test(dbUrl)) {
    throw new TitanError('TITAN_E_ONBOARD_STORE', `"${dbUrl.slice(0, 60)}" is not a postgres:// URL: nothing was written`);
  }
  const { openDatabase } = await import('../../host-api/db/open.ts');
  try {
    const db = await openDatabase(dbUrl);
    await db.close();
    return `${db.location} answers`;
  } catch (error) {
    throw new TitanError('TITAN_E_ONBOARD_STORE', `${(error as Error).message}: nothing was written`);
  }
}
