// One request to the gateway's route table over a Unix socket (the kernel's control socket, or
// the CLI's own when it answers offline), and the shape of the CLI's client of it.
import http from 'node:http';
import { TitanError, type ErrorCode } from '../common/errors.ts';
import type { Kernel } from '../kernel/api.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export type Client = {
  /** Whether a running kernel answers (else one was opened for this command). */
  readonly running: boolean;
  request<T>(method: Method, route: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
};

export type OfflineOptions = {
  /** How the kernel opened for the command gets its components; default: its serving versions restored. */
  prepare?: (kernel: Kernel) => Promise<void>;
  /** Also load the reflex records (the reflex verbs; the store must have them). */
  reflexes?: boolean;
  /** Also open memory on the store (the memory verbs; indexing runs in this process). */
  memory?: boolean;
  /** Restore only the store (a verb that reads or writes records alone): no other component is compiled or started. */
  storeOnly?: boolean;
  /** Also read the routines (the routine verbs): changed and run by hand here, scheduled by the next `titan start`. */
  routines?: boolean;
  /** Answer the GET routes the store file can (store-file.ts) from it, opening a kernel only for the rest. */
  fromStoreFile?: boolean;
};

/** One request; a coded error answer becomes the same TitanError the route threw. */
export function send<T>(socketPath: string, method: Method, route: string, body?: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // A POST, PATCH or PUT always carries a JSON body, {} when the verb has nothing to say.
    const payload = method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify(body ?? {});
    const headers = payload === undefined ? {} : { 'content-type': 'application/json' };
    const request = http.request({ socketPath, path: route, method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let payload: unknown;
        try {
          payload = text ? JSON.parse(text) : null;
        } catch {
          return reject(new TitanError('TITAN_E_INTERNAL', `the kernel answered ${route} with something that is not JSON`));
        }
        const error = (payload as { error?: { code: ErrorCode; message: string; fix?: string } } | null)?.error;
        if ((response.statusCode ?? 500) >= 400 && error) reject(new TitanError(error.code, error.message, { fix: error.fix }));
        else resolve(payload as T);
      });
    });
    request.on('error', (error) => reject(new TitanError('TITAN_E_KERNEL_UNREACHABLE', `the kernel stopped answering: ${error.message}`)));
    request.end(payload);
  });
}
