// titan:host/http: outbound HTTP under the manifest's grant (see http/grant.ts for what a grant
// names, http/exchange.ts for how a request is checked, sent and cut). Two ways in: `fetch` for a
// whole exchange, and start/write/finish/read/close for streamed request and response bodies.
// An open exchange lives under a handle until its body ends, it is closed, or its time limit
// passes. Every exchange is recorded for /metrics, and every error text starts with its code.
import { PassThrough } from 'node:stream';
import type { Header } from './http/grant.ts';
import { HTTP_GRANT_SCHEMA, type HttpGrant } from './http/grant.ts';
import { exchange, failureOf, limitsOf, type ResponseHead } from './http/exchange.ts';
import { HttpFailure } from './http/failure.ts';
import type { HostInterface, InstanceContext } from './types.ts';

/** Open exchanges one instance may hold at once. */
const MAX_OPEN = 16;

type Open = {
  request: PassThrough;
  head: Promise<ResponseHead>;
  body?: AsyncIterator<Buffer>;
  /** Bytes read but not yet handed over (a read asked for less than a chunk). */
  pending?: Buffer;
  written: number;
  deadline: AbortController;
  timer: NodeJS.Timeout;
  done: (outcome: string, status: number) => void;
};

type GuestRequest = { method: string; url: string; headers: Header[]; body: Uint8Array };

function lower(failure: HttpFailure): { payload: { tag: string; val: string } } {
  // jco lowers a thrown value's `payload` into the result's err case.
  return { payload: { tag: failure.tag, val: failure.text } };
}

/** The deadline of one exchange: aborts with a TimeoutError reason, like AbortSignal.timeout. */
function deadlineOf(ms: number): { controller: AbortController; timer: NodeJS.Timeout } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('time limit', 'TimeoutError')), ms);
  return { controller, timer };
}

function recorder(context: InstanceContext, method: string, url: string) {
  const started = performance.now();
  let bytes = 0;
  let recorded = false;
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    host = '(invalid)';
  }
  return {
    onBytes: (n: number) => void (bytes += n),
    done: (outcome: string, status: number) => {
      if (recorded) return;
      recorded = true;
      context.services.recordHttp?.(context.component, { host, method: String(method).toUpperCase(), status, outcome, ms: performance.now() - started, bytes });
    },
  };
}

export const http: HostInterface = {
  name: 'http',
  versions: ['0.2.0'],
  asyncFunctions: ['fetch', 'start', 'write', 'finish', 'read'],
  grantSchema: HTTP_GRANT_SCHEMA,
  bind(context) {
    const grant = context.grant as HttpGrant;
    const limits = limitsOf(grant);
    const secrets = context.services.secret?.bind(context.services);
    const open = new Map<bigint, Open>();
    let nextHandle = 1n;

    const drop = (handle: bigint) => {
      const entry = open.get(handle);
      if (!entry) return;
      open.delete(handle);
      clearTimeout(entry.timer);
      entry.deadline.abort(new DOMException('closed', 'AbortError'));
      entry.request.destroy();
    };
    const entryOf = (handle: bigint): Open => {
      const entry = open.get(handle);
      if (!entry) throw new HttpFailure('invalid', 'TITAN_E_HTTP_INVALID', `no open request has handle ${handle} (it ended, was closed or timed out)`);
      return entry;
    };

    return {
      fetch: async (request: GuestRequest) => {
        const { controller, timer } = deadlineOf(limits.timeoutMs);
        const record = recorder(context, request.method, request.url);
        let status = 0;
        try {
          const head = await exchange(
            { method: request.method, url: request.url, headers: request.headers, body: request.body.byteLength > 0 ? request.body : undefined },
            { grant, secrets, signal: controller.signal, onBytes: record.onBytes },
          );
          status = head.status;
          const chunks: Buffer[] = [];
          for await (const chunk of head.body) chunks.push(chunk);
          record.done('ok', status);
          return { status, headers: head.headers, body: new Uint8Array(Buffer.concat(chunks)) };
        } catch (error) {
          const failure = failureOf(error, controller.signal, limits.timeoutMs);
          record.done(failure.code, status);
          throw lower(failure);
        } finally {
          clearTimeout(timer);
        }
      },

      start: async (method: string, url: string, headers: Header[]) => {
        if (open.size >= MAX_OPEN) throw lower(new HttpFailure('invalid', 'TITAN_E_HTTP_INVALID', `${MAX_OPEN} requests are open already: close one first`));
        const { controller, timer } = deadlineOf(limits.timeoutMs);
        const record = recorder(context, method, url);
        const body = new PassThrough();
        const handle = nextHandle++;
        let connecting!: () => void;
        const ready = new Promise<void>((resolve) => (connecting = resolve));
        // GET and HEAD carry no body: nothing is streamed (a chunked GET puzzles servers).
        const bodiless = /^(GET|HEAD)$/i.test(String(method));
        if (bodiless) body.end();
        const head = exchange(
          { method, url, headers, body: bodiless ? undefined : body },
          { grant, secrets, signal: controller.signal, onBytes: record.onBytes, onConnect: connecting },
        );
        head.catch(() => {});
        const entry: Open = { request: body, head, written: 0, deadline: controller, timer, done: record.done };
        // The time limit also ends an exchange the guest forgot: its handle goes with it.
        controller.signal.addEventListener('abort', () => void (open.get(handle) === entry && open.delete(handle)), { once: true });
        try {
          await Promise.race([ready, head]);
        } catch (error) {
          clearTimeout(timer);
          const failure = failureOf(error, controller.signal, limits.timeoutMs);
          record.done(failure.code, 0);
          throw lower(failure);
        }
        open.set(handle, entry);
        return handle;
      },

      write: async (handle: bigint, chunk: Uint8Array) => {
        try {
          const entry = entryOf(handle);
          if (entry.body || entry.request.writableEnded)
            throw new HttpFailure('invalid', 'TITAN_E_HTTP_INVALID', 'the request has no body to write (it is finished, or a GET or HEAD)');
          entry.written += chunk.byteLength;
          if (entry.written > limits.maxRequestBytes) {
            drop(handle);
            throw new HttpFailure('too-large', 'TITAN_E_HTTP_TOO_LARGE', `the request body passed the grant's ${limits.maxRequestBytes} bytes`);
          }
          if (!entry.request.write(Buffer.from(chunk))) {
            await new Promise<void>((resolve, reject) => {
              entry.request.once('drain', resolve);
              entry.deadline.signal.addEventListener('abort', () => reject(entry.deadline.signal.reason), { once: true });
            });
          }
        } catch (error) {
          throw lower(failureOf(error, open.get(handle)?.deadline.signal ?? new AbortController().signal, limits.timeoutMs));
        }
      },

      finish: async (handle: bigint) => {
        const entry = open.get(handle);
        try {
          const current = entryOf(handle);
          current.request.end();
          const head = await current.head;
          current.body ??= head.body[Symbol.asyncIterator]();
          return { status: head.status, headers: head.headers, url: head.url };
        } catch (error) {
          const failure = failureOf(error, entry?.deadline.signal ?? new AbortController().signal, limits.timeoutMs);
          entry?.done(failure.code, 0);
          drop(handle);
          throw lower(failure);
        }
      },

      read: async (handle: bigint, maxBytes: number) => {
        const entry = open.get(handle);
        try {
          const current = entryOf(handle);
          if (!current.body) throw new HttpFailure('invalid', 'TITAN_E_HTTP_INVALID', 'call finish before reading the response');
          const max = Math.max(1, Math.min(maxBytes || 65536, limits.maxResponseBytes));
          let chunk = current.pending;
          current.pending = undefined;
          if (!chunk) {
            const next = await current.body.next();
            if (next.done) {
              current.done('ok', (await current.head).status);
              drop(handle);
              return null;
            }
            chunk = next.value;
          }
          if (chunk.length > max) {
            current.pending = chunk.subarray(max);
            chunk = chunk.subarray(0, max);
          }
          return new Uint8Array(chunk);
        } catch (error) {
          const failure = failureOf(error, entry?.deadline.signal ?? new AbortController().signal, limits.timeoutMs);
          entry?.done(failure.code, 0);
          drop(handle);
          throw lower(failure);
        }
      },

      close: (handle: bigint) => {
        open.get(handle)?.done('closed', 0);
        drop(handle);
      },
    };
  },
};
