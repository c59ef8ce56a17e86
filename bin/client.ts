// The `titan` CLI's one client of the gateway's route table: through the control socket to the
// running kernel, or, when none runs, on a kernel opened on $TITAN_HOME for this command alone,
// answering through the very same routes (gateway/app.ts createControlApp) in this process. So
// every verb is written once, as a route, and behaves the same either way.
import { homePaths, titanHome } from '../common/home.ts';
import { isServing } from '../gateway/control-socket.ts';
import { send, type Client, type Method, type OfflineOptions } from './route-request.ts';
import type { StoreFile } from './store-file.ts';

export type { Client, OfflineOptions };

/** Runs `fn` with a client, closing it (and a kernel opened for it) afterwards. */
export async function withClient<T>(fn: (client: Client) => Promise<T>, options: OfflineOptions = {}): Promise<T> {
  const client = await openClient(options);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** The running kernel's routes, or null when none runs (for a verb whose offline answer is not a route's: `titan mcp add` probes the server itself). */
export async function runningClient(): Promise<Client | null> {
  const socketPath = homePaths(titanHome()).controlSocket;
  if (!(await isServing(socketPath))) return null;
  return { running: true, request: (method, route, body) => send(socketPath, method, route, body), close: async () => {} };
}

export async function openClient(options: OfflineOptions = {}): Promise<Client> {
  const running = await runningClient();
  if (running) return running;
  if (options.fromStoreFile) {
    const { openStoreFile } = await import('./store-file.ts');
    const file = await openStoreFile();
    if (file) return storeFileClient(file, options);
  }
  return openKernelClient(options);
}

/** The kernel, the agent's wing and the gateway's routes load only when this process answers. */
async function openKernelClient(options: OfflineOptions): Promise<Client> {
  const { openOffline } = await import('./offline.ts');
  return openOffline(options);
}

/** Reads from the store file; a route it leaves (or any write) goes to a kernel opened then. */
function storeFileClient(file: StoreFile, options: OfflineOptions): Client {
  let kernel: Promise<Client> | undefined;
  return {
    running: false,
    async request<T>(method: Method, route: string, body?: unknown): Promise<T> {
      const answer = method === 'GET' && kernel === undefined ? await file.answer(route) : undefined;
      if (answer !== undefined) return answer as T;
      file.close();
      kernel ??= openKernelClient(options);
      return (await kernel).request<T>(method, route, body);
    },
    async close() {
      file.close();
      if (kernel) await (await kernel).close();
    },
  };
}
