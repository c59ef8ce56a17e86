// Who may call the gateway. The owner's token lives in $TITAN_HOME/gateway-token (mode 0600),
// created with 32 random bytes on the first start; deleting the file and restarting rotates it.
// Tokens for other users are entries in $TITAN_HOME/gateway-tokens.json (0600), each
// {sha256, userId, admin, createdAt}: only the hash is kept, so reading the file gives no access.
// A token is looked up by its hash, so the comparison never depends on how much of it matched.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from '../common/atomic-file.ts';
import { TitanError } from '../common/errors.ts';

/** `tokenId`: the start of the token's hash, naming the token (rate limits, logs) without revealing it. */
export type GatewayUser = { userId: string; admin: boolean; tokenId: string };
export type TokenEntry = { sha256: string; userId: string; admin: boolean; createdAt: string };

export const OWNER_TOKEN_FILE = 'gateway-token';
export const TOKENS_FILE = 'gateway-tokens.json';
const MAX_TOKEN_LENGTH = 256;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

export class TokenStore {
  readonly home: string;
  readonly ownerId: string;
  /** The owner token when this start created it (to print once), else undefined. */
  readonly created: string | undefined;
  #byHash = new Map<string, GatewayUser>();
  #ownerHash: string;
  #fileMtime = 0;
  #lastReload = 0;

  private constructor(home: string, ownerId: string, ownerToken: string, created: boolean) {
    this.home = home;
    this.ownerId = ownerId;
    this.#ownerHash = hashOf(ownerToken);
    this.created = created ? ownerToken : undefined;
  }

  /** `create: false` (the CLI answering without a kernel) never writes the owner token: its first showing belongs to `titan start`. */
  static async open(home: string, ownerId: string, options: { create?: boolean } = {}): Promise<TokenStore> {
    const file = path.join(home, OWNER_TOKEN_FILE);
    let token = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (token === '' && options.create === false) return new TokenStore(home, ownerId, newToken(), false); // an owner token nobody holds
    const created = token === '';
    if (created) {
      token = newToken();
      await writeFileAtomic(file, token + '\n');
    } else {
      await chmod(file, 0o600); // a token left readable by others is narrowed back
    }
    const store = new TokenStore(home, ownerId, token, created);
    await store.#reload(true);
    return store;
  }

  get file(): string {
    return path.join(this.home, TOKENS_FILE);
  }

  /** The user a presented token belongs to, or undefined. */
  async lookup(token: string | undefined): Promise<GatewayUser | undefined> {
    if (!token || token.length > MAX_TOKEN_LENGTH) return undefined;
    const hash = hashOf(token);
    if (hash === this.#ownerHash) return { userId: this.ownerId, admin: true, tokenId: hash.slice(0, 16) };
    let user = this.#byHash.get(hash);
    // Tokens created by another process (a CLI) are picked up without a restart; at most once a second.
    if (!user && Date.now() - this.#lastReload > 1000) {
      await this.#reload(false);
      user = this.#byHash.get(hash);
    }
    return user;
  }

  async #reload(force: boolean): Promise<void> {
    this.#lastReload = Date.now();
    const mtime = await stat(this.file).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (!force && mtime === this.#fileMtime) return;
    this.#fileMtime = mtime;
    const entries = await readJsonFile<TokenEntry[]>(this.file, []);
    this.#byHash = new Map(entries.map((e) => [e.sha256, { userId: e.userId, admin: e.admin === true, tokenId: e.sha256.slice(0, 16) }]));
  }

  /** A new token for `userId`, returned once: only its hash is stored. */
  async create(userId: string, options: { admin?: boolean } = {}): Promise<string> {
    const token = await createToken(this.home, userId, options);
    await this.#reload(true);
    return token;
  }
}

/** Adds a token for `userId` to $TITAN_HOME/gateway-tokens.json and returns it (shown once). */
export async function createToken(home: string, userId: string, options: { admin?: boolean } = {}): Promise<string> {
  if (!/^[\w.@-]{1,128}$/.test(userId)) {
    throw new TitanError('TITAN_E_USAGE', `"${userId}" is not a user id`, { fix: 'use 1-128 letters, digits and . _ @ -' });
  }
  const file = path.join(home, TOKENS_FILE);
  const entries = await readJsonFile<TokenEntry[]>(file, []);
  const token = newToken();
  entries.push({ sha256: hashOf(token), userId, admin: options.admin === true, createdAt: new Date().toISOString() });
  await writeJsonAtomic(file, entries);
  return token;
}
