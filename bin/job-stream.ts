// The two job answers the CLI reads as streams from the running kernel's control socket: a job's
// live events (Server-Sent Events, until the job ends) and its files as tar. A download is written
// to FILE.part and renamed only once the archive is whole (its end-of-archive blocks arrived), so a
// cut stream leaves no file that looks complete: it is TITAN_E_JOB_EXPORT_CUT.
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import http from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TitanError, type ErrorCode } from '../common/errors.ts';

export type Endpoint = { socketPath: string } | { url: string; token?: string };

/** A GET whose answer is read as a stream; a coded error answer becomes its TitanError. `signal` ends it. */
function get(endpoint: Endpoint, route: string, signal?: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const target =
      'socketPath' in endpoint
        ? { socketPath: endpoint.socketPath, path: route, headers: {} }
        : { ...urlParts(endpoint.url, route), headers: endpoint.token ? { authorization: `Bearer ${endpoint.token}` } : {} };
    const request = http.get({ ...target, agent: false, signal }, (response) => {
      if ((response.statusCode ?? 500) < 400) return resolve(response);
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        try {
          const { error } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error: { code: ErrorCode; message: string; fix?: string } };
          reject(new TitanError(error.code, error.message, { fix: error.fix }));
        } catch {
          reject(new TitanError('TITAN_E_INTERNAL', `${route} answered ${response.statusCode}`));
        }
      });
    });
    request.on('error', (error) => reject(new TitanError('TITAN_E_KERNEL_UNREACHABLE', `the kernel stopped answering: ${error.message}`)));
  });
}

function urlParts(base: string, route: string): { hostname: string; port: string; path: string } {
  const url = new URL(route, base);
  return { hostname: url.hostname, port: url.port, path: `${url.pathname}${url.search}` };
}

/** Each event of an SSE answer, until the server ends it (or `signal` does: then it throws an AbortError).
 * `opened`: called once the server answered (it listens from then on). */
export async function* events<T>(endpoint: Endpoint, route: string, signal?: AbortSignal, opened?: () => void): AsyncGenerator<T> {
  const response = await get(endpoint, route, signal);
  opened?.();
  let buffer = '';
  response.setEncoding('utf8');
  for await (const chunk of response as AsyncIterable<string>) {
    buffer += chunk;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      if (data) yield JSON.parse(data) as T;
      end = buffer.indexOf('\n\n');
    }
  }
}

const END_OF_ARCHIVE = 1024;

/** Downloads a tar answer to `file`; TITAN_E_JOB_EXPORT_CUT (and no file) when it breaks off. */
export async function downloadTar(endpoint: Endpoint, route: string, file: string): Promise<{ bytes: number }> {
  const response = await get(endpoint, route);
  const partial = `${file}.part`;
  let bytes = 0;
  let tail = Buffer.alloc(0);
  const watch = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      tail = Buffer.concat([tail, chunk]).subarray(-END_OF_ARCHIVE);
      done(null, chunk);
    },
  });
  try {
    // A response cut mid-way errors here ("aborted" / premature close).
    await pipeline(response, watch, createWriteStream(partial));
    if (bytes % 512 !== 0 || tail.length < END_OF_ARCHIVE || tail.some((b) => b !== 0)) throw new Error('the archive has no end-of-archive blocks');
    const handle = await open(partial, 'r');
    await handle.sync().finally(() => handle.close());
    await rename(partial, file);
    return { bytes };
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof TitanError) throw error;
    throw new TitanError('TITAN_E_JOB_EXPORT_CUT', `the export stream broke off after ${bytes} bytes: ${(error as Error).message}`, { cause: error });
  }
}
