// The channels' secrets, named by each channel's manifest: environment variables
// (TITAN_TELEGRAM_BOT_TOKEN...) or, for values kept
// out of the environment, the encrypted secret store (`titan secrets set TITAN_TELEGRAM_BOT_TOKEN`)
// or the older $TITAN_HOME/channel-secrets.json, which must be readable by its owner only.
// The environment wins over the store, the store over the file.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TitanError } from '../../common/errors.ts';
import type { SecretStore } from '../../common/secret-store.ts';
import type { ChannelSpec } from './specs.ts';

export const SECRETS_FILE = 'channel-secrets.json';

export type SecretSource = Record<string, string | undefined>;

export async function loadSecretSource(home: string, env: NodeJS.ProcessEnv = process.env, store?: SecretStore): Promise<SecretSource> {
  const file = path.join(home, SECRETS_FILE);
  let fromFile: Record<string, unknown> = {};
  const info = await stat(file).catch(() => undefined);
  if (info) {
    if ((info.mode & 0o077) !== 0) {
      throw new TitanError('TITAN_E_CHANNEL_CONFIG', `${file} is readable by others (mode ${(info.mode & 0o777).toString(8)})`, { fix: `chmod 600 ${file}` });
    }
    try {
      fromFile = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new TitanError('TITAN_E_CHANNEL_CONFIG', `${file} is not JSON: ${(error as Error).message}`);
    }
  }
  const source: SecretSource = {};
  for (const [key, value] of Object.entries(fromFile)) if (typeof value === 'string' && value !== '') source[key] = value;
  for (const { name } of store?.list() ?? []) {
    const value = store?.get(name);
    if (name.startsWith('TITAN_') && value) source[name] = value;
  }
  for (const [key, value] of Object.entries(env)) if (key.startsWith('TITAN_') && value) source[key] = value;
  return source;
}

/** One channel's secrets by name ("bot-token"), resolved once at start. */
export class ChannelSecrets {
  readonly #outbound = new Map<string, string>();
  readonly #verification = new Map<string, string>();

  constructor(spec: Pick<ChannelSpec, 'secrets'>, source: SecretSource) {
    for (const [secret, { env, use }] of Object.entries(spec.secrets)) {
      const value = source[env];
      if (value) (use === 'outbound' ? this.#outbound : this.#verification).set(secret, value);
    }
  }

  /** The variables of required secrets that are not set. */
  static missing(spec: Pick<ChannelSpec, 'secrets'>, source: SecretSource): string[] {
    return Object.values(spec.secrets)
      .filter((s) => s.required === true && !source[s.env])
      .map((s) => s.env);
  }

  /** A secret the component may have placed in a request; undefined for any other name. */
  outbound(secret: string): string | undefined {
    return this.#outbound.get(secret);
  }

  verification(secret: string): string | undefined {
    return this.#verification.get(secret);
  }

  /** Every secret value, to scrub from anything logged or shown. */
  values(): string[] {
    return [...this.#outbound.values(), ...this.#verification.values()];
  }
}
