// The loopback HTTP server every fake platform runs on: it reads each request whole, records it,
// and answers with what the platform's handler says.
import http from 'node:http';

export type FakeRequest = { method: string; path: string; headers: http.IncomingHttpHeaders; body: string; json: any };
export type FakeAnswer = { status?: number; json?: unknown; text?: string };
export type FakeHandler = (request: FakeRequest) => FakeAnswer | Promise<FakeAnswer>;

export type FakeServer = { url: string; requests: FakeRequest[]; close(): Promise<void> };

export async function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const request: FakeRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, json };
    requests.push(request);
    const answer = await handler(request);
    res.statusCode = answer.status ?? 200;
    if (answer.json !== undefined) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer.json));
    } else {
      res.end(answer.text ?? '');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves when `check` holds, polling the fake's state (each platform answers asynchronously). */
export async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
