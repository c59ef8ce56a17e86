// The data behind titan:host/kv until the store component takes it over: one JSON file per
// namespace under $TITAN_HOME/kv, loaded on first use, written atomically a moment after a change
// (many sets in a burst cost one write) and on shutdown.
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../common/atomic-file.ts';
import type { KvService } from '../host-api/index.ts';

const FLUSH_DELAY_MS = 50;

export class KvStore implements KvService {
  readonly #dir: string;
  readonly #namespaces = new Map<string, Promise<Map<string, string>>>();
  readonly #dirty = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.#dir = dir;
  }

  #load(namespace: string): Promise<Map<string, string>> {
    let loaded = this.#namespaces.get(namespace);
    if (!loaded) {
      loaded = readJsonFile<Record<string, string>>(this.#file(namespace), {}).then((o) => new Map(Object.entries(o)));
      this.#namespaces.set(namespace, loaded);
    }
    return loaded;
  }

  #file(namespace: string): string {
    return path.join(this.#dir, `${namespace}.json`);
  }

  async get(namespace: string, key: string): Promise<string | undefined> {
    return (await this.#load(namespace)).get(key);
  }

  async set(namespace: string, key: string, value: string, limits: { maxKeys: number; maxValueBytes: number }): Promise<void> {
    const map = await this.#load(namespace);
    const bytes = Buffer.byteLength(value);
    if (bytes > limits.maxValueBytes) throw new Error(`value of ${bytes} bytes is over this component's limit of ${limits.maxValueBytes}`);
    if (!map.has(key) && map.size >= limits.maxKeys) throw new Error(`namespace is full (${limits.maxKeys} keys)`);
    map.set(key, value);
    this.#markDirty(namespace);
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    const removed = (await this.#load(namespace)).delete(key);
    if (removed) this.#markDirty(namespace);
    return removed;
  }

  async list(namespace: string, prefix: string): Promise<string[]> {
    return [...(await this.#load(namespace)).keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  #markDirty(namespace: string): void {
    this.#dirty.add(namespace);
    this.#timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** Writes every changed namespace; flushes run one after another. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const namespaces = [...this.#dirty];
    this.#dirty.clear();
    this.#flushing = this.#flushing.then(async () => {
      for (const namespace of namespaces) {
        const map = await this.#load(namespace);
        await writeJsonAtomic(this.#file(namespace), Object.fromEntries(map));
      }
    });
    return this.#flushing;
  }
}
