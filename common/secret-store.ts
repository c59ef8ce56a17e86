// The secret store: named values encrypted at rest in $TITAN_HOME/secrets.enc with AES-256-GCM
// (node:crypto), each bound to its name (the name is the authenticated data, so a value cannot be
// moved to another name). The key is 32 random bytes in $TITAN_HOME/secrets.key, created once with
// mode 0600 and refused when others may read it. (An OS keyring would hold the key where one runs;
// these machines have none, so the owner-only key file is the key's home.)
// Writers (the CLI, the web UI) replace the whole file atomically; a running kernel notices the
// change by its modification time, so `titan secrets set` takes effect without a restart.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from './atomic-file.ts';
import { TitanError } from './errors.ts';

export const SECRETS_FILE = 'secrets.enc';
export const SECRETS_KEY_FILE = 'secrets.key';
export const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_VALUE_BYTES = 16 * 1024;

type Sealed = { iv: string; tag: string; data: string; updated: string };
type StoreFile = { version: 1; secrets: Record<string, Sealed> };
export type SecretInfo = { name: string; updated: string };

export function checkSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) throw new TitanError('TITAN_E_SECRET_NAME', `${JSON.stringify(name.slice(0, 80))} is not a secret name`);
}

async function ownerOnly(file: string, info: Stats): Promise<void> {
  if ((info.mode & 0o077) !== 0) {
    throw new TitanError('TITAN_E_SECRETS_UNREADABLE', `${file} may be read by others (mode ${(info.mode & 0o777).toString(8)})`, { fix: `chmod 600 ${file}` });
  }
}

/** The key: read, or created once (exclusively, mode 0600) when the store is first written. */
async function loadKey(home: string, create: boolean): Promise<Buffer | undefined> {
  const file = path.join(home, SECRETS_KEY_FILE);
  const info = await stat(file).catch(() => undefined);
  if (info) {
    await ownerOnly(file, info);
    const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    if (key.length !== 32) throw new TitanError('TITAN_E_SECRETS_UNREADABLE', `${file} does not hold a 256-bit key`);
    return key;
  }
  if (!create) return undefined;
  await mkdir(home, { recursive: true });
  try {
    const handle = await open(file, 'wx', 0o600);
    await handle.writeFile(randomBytes(32).toString('base64') + '\n');
    await handle.sync();
    await handle.close();
  } catch (error) {
    // Another writer created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return loadKey(home, false);
}

function seal(key: Buffer, name: string, value: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(name));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64'), updated: new Date().toISOString() };
}

function unseal(key: Buffer, name: string, sealed: Sealed): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(name));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new TitanError('TITAN_E_SECRETS_UNREADABLE', `the secret ${name} does not decrypt with ${SECRETS_KEY_FILE} (altered, or another key)`);
  }
}

export class SecretStore {
  readonly file: string;
  readonly #home: string;
  #values = new Map<string, string>();
  #info: SecretInfo[] = [];
  #stamp = '';
  readonly #listeners = new Set<() => void>();

  private constructor(home: string) {
    this.#home = home;
    this.file = path.join(home, SECRETS_FILE);
  }

  static async open(home: string): Promise<SecretStore> {
    const store = new SecretStore(home);
    await store.refresh();
    return store;
  }

  /** Re-reads the file if it changed since the last read. */
  async refresh(): Promise<void> {
    const info = await stat(this.file).catch(() => undefined);
    const stamp = info ? `${info.mtimeMs}:${info.size}:${info.ino}` : '';
    if (stamp === this.#stamp) return;
    if (!info) {
      this.#replace(new Map(), [], stamp);
      return;
    }
    await ownerOnly(this.file, info);
    const parsed = JSON.parse(await readFile(this.file, 'utf8')) as StoreFile;
    const key = await loadKey(this.#home, false);
    if (!key) throw new TitanError('TITAN_E_SECRETS_UNREADABLE', `${this.file} exists but ${SECRETS_KEY_FILE} is missing`);
    const values = new Map<string, string>();
    for (const [name, sealed] of Object.entries(parsed.secrets ?? {})) values.set(name, unseal(key, name, sealed));
    this.#replace(
      values,
      Object.entries(parsed.secrets ?? {}).map(([name, s]) => ({ name, updated: s.updated })),
      stamp,
    );
  }

  #replace(values: Map<string, string>, info: SecretInfo[], stamp: string): void {
    this.#values = values;
    this.#info = info.sort((a, b) => a.name.localeCompare(b.name));
    this.#stamp = stamp;
    for (const listener of this.#listeners) listener();
  }

  /** Follows changes other processes make (polling the file's stamp once a second, unref'd). */
  watch(): () => void {
    const check = () => void this.refresh().catch(() => {});
    watchFile(this.file, { interval: 1000, persistent: false }, check);
    return () => unwatchFile(this.file, check);
  }

  /** Called after every change of the values (for the leak guard's list). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  list(): SecretInfo[] {
    return [...this.#info];
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** A value, for the host to place at a boundary. Never give it to a component. */
  async value(name: string): Promise<string | undefined> {
    await this.refresh();
    return this.#values.get(name);
  }

  /** A value as last read (kept fresh by watch()), for the host's own synchronous use. */
  get(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** Every stored value, for the leak guard. */
  values(): string[] {
    return [...this.#values.values()];
  }

  async set(name: string, value: string): Promise<void> {
    checkSecretName(name);
    if (value === '')
      throw new TitanError('TITAN_E_INVALID_REQUEST', `the value of ${name} is empty`, { fix: 'give a value, or remove the secret with `titan secrets rm`' });
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES)
      throw new TitanError('TITAN_E_INVALID_REQUEST', `the value of ${name} is longer than ${MAX_VALUE_BYTES} bytes`);
    await this.#write((secrets, key) => void (secrets[name] = seal(key, name, value)));
  }

  /** Removes a secret; false when there was none of that name. */
  async remove(name: string): Promise<boolean> {
    checkSecretName(name);
    let found = false;
    await this.#write((secrets) => {
      found = name in secrets;
      delete secrets[name];
    });
    return found;
  }

  async #write(change: (secrets: Record<string, Sealed>, key: Buffer) => void): Promise<void> {
    const key = (await loadKey(this.#home, true)) as Buffer;
    const current = await readFile(this.file, 'utf8')
      .then((t) => JSON.parse(t) as StoreFile)
      .catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return { version: 1, secrets: {} } as StoreFile;
        throw e;
      });
    change(current.secrets, key);
    await writeJsonAtomic(this.file, current);
    await this.refresh();
  }
}
