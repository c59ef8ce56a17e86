// Gateway tests: one bootstrapped kernel per test file, a gateway (with its own agent and model
// script) per test on 127.0.0.1 and a free port, and small real clients: fetch for REST, an SSE
// reader over a streamed fetch body, and a `ws` WebSocket.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';
import { bootstrapBuiltins, type Kernel, type KernelOptions } from '../../kernel/api.ts';
import { Agent, type TurnEvent } from '../../agent/api.ts';
import { startGateway, type Gateway, type GatewayOptions } from '../../gateway/server.ts';
import { openTestKernel } from '../support/kernel.ts';
import { scriptedModel, type Step } from '../support/model-double.ts';

export type Harness = {
  kernel: Kernel;
  home: string;
  /** Every turn event the bus carried, in order. */
  events: TurnEvent[];
  close(): Promise<void>;
};

export async function openHarness(options: { bootstrap?: boolean; kernel?: KernelOptions } = {}): Promise<Harness> {
  const { kernel, home, cleanup } = await openTestKernel(options.kernel);
  if (options.bootstrap !== false) {
    const report = await bootstrapBuiltins(kernel);
    if (report.failed.length) throw new Error(`bootstrap failed: ${JSON.stringify(report.failed)}`);
  }
  const events: TurnEvent[] = [];
  kernel.bus.on('turn.event', (e) => events.push(e));
  return { kernel, home, events, close: cleanup };
}

export type TestGateway = {
  gateway: Gateway;
  agent: Agent;
  url: string;
  token: string;
  /** JSON request with the owner token (or `token`); answers status, headers and parsed body. */
  call(method: string, route: string, body?: unknown, token?: string | null): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
};

export async function openGateway(
  harness: Harness,
  options: { steps?: Step[]; guardedTools?: string[]; approvalTtlMs?: number; startAgent?: boolean } & Partial<Omit<GatewayOptions, 'kernel' | 'agent'>> = {},
): Promise<TestGateway> {
  const { steps = [], guardedTools, approvalTtlMs, startAgent = true, ...gatewayOptions } = options;
  const agent = new Agent(harness.kernel, { workspace: path.join(harness.home, 'workspace'), llm: scriptedModel(steps), guardedTools, approvalTtlMs });
  if (startAgent) await agent.start(); // needs the store: a test of an unbootstrapped kernel skips it
  const gateway = await startGateway({ kernel: harness.kernel, agent, port: 0, ownerId: 'ada', ...gatewayOptions });
  const token = (await readFile(path.join(harness.home, 'gateway-token'), 'utf8')).trim();
  const url = gateway.url;
  return {
    gateway,
    agent,
    url,
    token,
    async call(method, route, body, as) {
      const headers: Record<string, string> = {};
      const bearer = as === undefined ? token : as;
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(url + route, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (metrics): the text
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async close() {
      await gateway.close();
      await agent.close();
    },
  };
}

export type SseEvent = { id: string; data: TurnEvent };

/** An SSE client over fetch: parses frames as they arrive; `until` waits for an event matching. */
export async function openSse(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const received: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let ended = false;
  const pump = (async () => {
    if (!response.ok || !response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            frame
              .split('\n')
              .filter((l) => !l.startsWith(':'))
              .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]),
          );
          if (fields.data !== undefined) received.push({ id: fields.id, data: JSON.parse(fields.data) });
          for (const wake of waiters.splice(0)) wake();
        }
      }
    } catch {
      // aborted
    } finally {
      ended = true;
      for (const wake of waiters.splice(0)) wake();
    }
  })();
  return {
    response,
    received,
    async until(match: (e: SseEvent) => boolean, timeoutMs = 10_000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(match);
        if (found) return found;
        if (ended) throw new Error(`the stream ended before the event; got ${received.map((e) => e.data.type).join(', ')}`);
        if (Date.now() > deadline) throw new Error(`no such event within ${timeoutMs} ms; got ${received.map((e) => e.data.type).join(', ')}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    async close() {
      abort.abort();
      await pump;
    },
  };
}

/** A WebSocket client that keeps every message it receives. */
export async function openWs(url: string, options: { token?: string; origin?: string; query?: boolean; path?: string } = {}) {
  const target = new URL(options.path ?? '/api/ws', url.replace(/^http/, 'ws'));
  const headers: Record<string, string> = {};
  if (options.token && options.query) target.searchParams.set('token', options.token);
  else if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.origin) headers.origin = options.origin;
  const ws = new WebSocket(target, { headers });
  const messages: any[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk));
      response.on('end', () => reject(Object.assign(new Error(`refused: ${response.statusCode}`), { status: response.statusCode, body: JSON.parse(text) })));
    });
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    send: (value: unknown) => ws.send(JSON.stringify(value)),
    async until(match: (m: any) => boolean, timeoutMs = 10_000): Promise<any> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such message within ${timeoutMs} ms; got ${JSON.stringify(messages.map((m) => m.type))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The events of one turn as the bus carried them, without the delivery time. */
export const busEventsOf = (harness: Harness, turnId: string) => harness.events.filter((e) => e.turnId === turnId);
