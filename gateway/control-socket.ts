// The owner-only control socket ($TITAN_HOME/run/kernel.sock, mode 0600 in a 0700 folder): claimed
// first thing at start, so a second kernel on the same home is refused before it touches any state;
// it serves the gateway's route table (createControlApp) once the parts behind it run, and requests
// that arrive before then wait for it. The `titan` CLI is its client (bin/client.ts).
import { connect } from 'node:net';
import { chmod, mkdir, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { TitanError } from '../common/errors.ts';
import { httpError } from './errors.ts';

const CLOSE_GRACE_MS = 2000;

export type ControlSocket = {
  readonly path: string;
  /** Starts answering with `handler`; requests that waited for it go through it now. */
  serve(handler: http.RequestListener): void;
  /** Stops listening and removes the socket file; requests still waiting get TITAN_E_SHUTTING_DOWN. */
  close(): Promise<void>;
};

export async function claimControlSocket(socketPath: string): Promise<ControlSocket> {
  await mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  if (await isServing(socketPath)) {
    throw new TitanError('TITAN_E_USAGE', `a kernel is already running on ${socketPath}`, { fix: 'stop it first, or use another TITAN_HOME' });
  }
  await rm(socketPath, { force: true }); // left behind by a kernel that was killed
  let handler: http.RequestListener | undefined;
  let closed = false;
  const waiting: Array<() => void> = [];
  const server = http.createServer((request, response) => {
    const answer = () => {
      if (handler) return void handler(request, response);
      const { status, body } = httpError(new TitanError('TITAN_E_SHUTTING_DOWN', 'the kernel stopped before it could answer'));
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (handler || closed) answer();
    else waiting.push(answer);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  await chmod(socketPath, 0o600);
  return {
    path: socketPath,
    serve(next) {
      handler = next;
      for (const answer of waiting.splice(0)) answer();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const answer of waiting.splice(0)) answer();
      // A command in flight gets a moment to finish; idle connections go at once.
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await stopped;
      clearTimeout(force);
      await rm(socketPath, { force: true });
    },
  };
}

/** Whether something answers on the socket (a running kernel). */
export function isServing(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
