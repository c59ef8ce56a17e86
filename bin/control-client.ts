// Talks to a running kernel over its control socket; null when no kernel is running.
import http from 'node:http';
import { TitanError, type ErrorCode } from '../common/errors.ts';
import { isServing } from '../kernel/api.ts';

export type ControlClient = { request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> };

export async function connectToKernel(socketPath: string): Promise<ControlClient | null> {
  if (!(await isServing(socketPath))) return null;
  return {
    request<T>(method: 'GET' | 'POST', path: string, body?: unknown) {
      return new Promise<T>((resolve, reject) => {
        const req = http.request({ socketPath, path, method, headers: { 'content-type': 'application/json' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const payload = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as { error?: { code: ErrorCode; message: string; fix?: string } };
            if (payload && typeof payload === 'object' && 'error' in payload && payload.error) {
              reject(new TitanError(payload.error.code, payload.error.message, { fix: payload.error.fix }));
            } else resolve(payload as T);
          });
        });
        req.on('error', (error) => reject(new TitanError('TITAN_E_KERNEL_UNREACHABLE', `the kernel stopped answering: ${error.message}`)));
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
    },
  };
}
