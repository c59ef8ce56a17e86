// Read-only routes for commands on a stopped home (`titan reflex list`, `pairing list`, `kernel
// patches`, `db status`), answered from the store file without a kernel: the store component's own
// JavaScript (components/stores/core) runs in this process over the libSQL file opened read-only,
// its titan:host imports served by store-file-host.ts. No kernel, component, agent or gateway
// loads. Only when that is the store the home serves (the libSQL default, the built-in store at
// this package's version, no migration pending); otherwise, and for a route it does not answer,
// the caller opens a kernel for the command (offline.ts), which answers the same routes.
import { existsSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonFile } from '../common/atomic-file.ts';
import { homePaths, titanHome } from '../common/home.ts';
import { StoreClient, type Patch, type Pairing, type ReflexRecord, type SchemaStatus } from '../kernel/store-client.ts';
import { TitanError } from '../common/errors.ts';
import { loadTitanConfig } from './config.ts';

const STORE_DIR = new URL('../components/stores/core/', import.meta.url);
const HOST_MODULE = new URL('./store-file-host.ts', import.meta.url).href;

/** A GET route's answer, or undefined when this route is left to a kernel. */
export type StoreFile = { answer(route: string): Promise<unknown | undefined>; close(): void };

let hooked = false;
/** The store's `titan:host/...` imports resolve to the host module here (registered once, when used). */
function hookHostImports(): void {
  if (hooked) return;
  hooked = true;
  registerHooks({
    resolve: (specifier, context, next) => (specifier.startsWith('titan:host/') ? { url: HOST_MODULE, shortCircuit: true } : next(specifier, context)),
  });
}

/** The libSQL file the home's store serves from, when it is the built-in store at this package's version. */
async function storeFileOf(): Promise<string | undefined> {
  const home = titanHome();
  const { config } = await loadTitanConfig();
  const url = config.kernel.dbUrl || `file:${path.join(home, 'titan.db')}`;
  if (config.kernel.store !== 'core' || !url.startsWith('file:')) return undefined;
  const file = path.resolve(url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length));
  const source = JSON.parse(readFileSync(new URL('component.json', STORE_DIR), 'utf8')) as { version: string };
  const serving = (await readJsonFile<Record<string, { version?: string }>>(homePaths(home).deployments, {}))['store/core'];
  return serving?.version === source.version && existsSync(file) ? file : undefined;
}

/** The store file's reader, or undefined when the home's store is not one this can read. */
export async function openStoreFile(): Promise<StoreFile | undefined> {
  const file = await storeFileOf();
  if (!file) return undefined;
  // The host module by its URL, as the hook resolves the store's imports to it: one instance even when
  // this file runs from the start bundle (bin/bundle), whose chunks would otherwise hold a second.
  const [{ openLibsqlReader }, host] = await Promise.all([
    import('../host-api/db/libsql-backend.ts'),
    import(HOST_MODULE) as Promise<typeof import('./store-file-host.ts')>,
  ]);
  let reader: ReturnType<typeof openLibsqlReader>;
  try {
    reader = openLibsqlReader(file);
  } catch {
    return undefined; // e.g. a crashed Titan's WAL that only a writer may recover: the kernel opens it
  }
  host.bindReader(reader);
  hookHostImports();
  const { store: component } = (await import(new URL('store.js', STORE_DIR).href)) as {
    store: { request(op: string, input: string): string };
  };
  const call = async (_kind: string, _name: string, _fn: string, [op, input]: unknown[]) => {
    try {
      return component.request(String(op), String(input));
    } catch (error) {
      // The store-error variant, as the kernel reports a guest's (kernel/guest-errors.ts).
      const variant = error as { tag?: string; val?: string };
      throw new TitanError('TITAN_E_COMPONENT_ERROR', `store/core: ${variant.tag}: ${variant.val ?? String(error)}`, {
        details: { tag: variant.tag, payload: variant },
      });
    }
  };
  const store = new StoreClient(call, 'core', host.takeRows);
  const close = () => {
    host.bindReader(undefined);
    reader.close();
  };
  try {
    const status = await store.op('schema.status');
    // A migration pending is the kernel's to run (`titan db status` offline runs it, as `titan start` does).
    if (status.pending.length > 0) {
      close();
      return undefined;
    }
    return { answer: (route) => answer(store, route, { ...status, location: file }), close };
  } catch {
    close();
    return undefined;
  }
}

async function answer(store: StoreClient, route: string, status: SchemaStatus & { location: string }): Promise<unknown | undefined> {
  const { pathname, searchParams } = new URL(route, 'http://titan');
  const state = searchParams.get('state') ?? undefined;
  switch (pathname) {
    case '/api/db':
      return { ...status, store: 'store/core' };
    case '/api/pairings':
      return { pairings: await store.op('channels.pairing.list', state ? { state: state as Pairing['state'] } : {}) };
    case '/api/patches': {
      // Patches written before the store served are moved into it by the next start.
      if (existsSync(homePaths(titanHome()).patches)) return undefined;
      const patches = await store.op('patches.list');
      return { patches: patches.filter((p: Patch) => !state || p.state === state) };
    }
    case '/api/reflexes': {
      const records = await store.op('reflexes.list');
      // A build a stopped Titan left midway is settled by the kernel (serving or discarded).
      if (records.some((r: ReflexRecord) => r.state === 'building')) return undefined;
      const { reflexSummary } = await import('../agent/reflex/summary.ts');
      return { enabled: true, reflexes: records.sort((a, b) => a.createdAt - b.createdAt).map(reflexSummary) };
    }
    default:
      return undefined;
  }
}
