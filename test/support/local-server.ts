// An HTTP server on the loopback for one test: any free port, its connections counted (a request
// the host refused must not reach it), closed with its open connections when the test ends.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

export type LocalServer = { port: number; readonly connections: number };

export async function serveLocally(t: TestContext, handler: RequestListener): Promise<LocalServer> {
  let connections = 0;
  const srv = createServer(handler);
  srv.on('connection', () => connections++);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        srv.closeAllConnections();
        srv.close(() => resolve());
      }),
  );
  return {
    port: (srv.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
  };
}
