// Open-slot suites: a receiving HTTP server standing in for another system, and a component
// published into a running `titan start` and deployed there through the real command line
// (registry publish, kernel propose, approve, deploy), as an operator would.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runTitan } from '../support/cli.ts';

export type Received = { method: string; url: string; headers: IncomingMessage['headers']; body: string };

export type Receiver = { url: string; received: Received[]; close(): Promise<void> };

/** An HTTP server on 127.0.0.1 that records each request and answers with `answer` (default 200 {}). */
export async function startReceiver(answer: (r: Received, res: ServerResponse) => void = (_, res) => res.end('{}')): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      received.push(entry);
      answer(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function titan(args: string[], home: string): Promise<string> {
  const result = await runTitan([...args, '--json'], home);
  if (result.code !== 0) throw new Error(`titan ${args.join(' ')} failed (${result.code}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Publishes the folder through the running Titan, then proposes, approves and deploys it: no restart. */
export async function publishAndDeploy(home: string, dir: string, slot: string): Promise<{ version: string; state: string }> {
  const [published] = JSON.parse(await titan(['registry', 'publish', dir], home)) as Array<{ version: string }>;
  const proposed = JSON.parse(await titan(['kernel', 'propose', `${slot}@${published.version}`, '--by', 'test', '--why', 'a new slot'], home)) as {
    id: string;
  };
  await titan(['kernel', 'approve', proposed.id, '--by', 'test'], home);
  const deployed = JSON.parse(await titan(['kernel', 'deploy', proposed.id, '--by', 'test'], home)) as { state: string };
  return { version: published.version, state: deployed.state };
}

/** Polls until `find` answers something, or fails after `ms`. */
export async function until<T>(find: () => T | undefined, what: string | (() => string), ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
