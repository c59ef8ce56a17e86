// The WebSocket at /api/ws. The upgrade is checked before it is accepted: Origin (loopback or
// allowedOrigins; none for non-browser clients), token (Authorization or ?token=), rate. Then the
// client sends {subscribe: threadId, after?: "<turnId>:<seq>"} or {unsubscribe: threadId}; events
// arrive as JSON, the same objects SSE sends ({type, threadId, turnId, seq, at, ...}); the socket's
// own messages are typed ws.subscribed, ws.unsubscribed and ws.error.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { TitanError } from '../common/errors.ts';
import type { TurnEvent } from '../agent/api.ts';
import { presentedToken, userFor } from './auth.ts';
import type { GatewayDeps } from './deps.ts';
import { httpError, writeRawError } from './errors.ts';
import { openStream, parseCursor } from './event-feed.ts';
import { ownThread } from './scope.ts';
import type { GatewayUser } from './tokens.ts';
import { body, ID } from './validate.ts';

export const WS_PATH = '/api/ws';
const MAX_MESSAGE = 64 * 1024;
const MAX_BUFFERED = 8 * 1024 * 1024;
const MAX_SUBSCRIPTIONS = 100;
const PING_MS = 30_000;
const MESSAGE = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 2,
  properties: { subscribe: ID, unsubscribe: ID, after: { type: 'string', maxLength: 300 } },
} as const;
type Message = { subscribe?: string; unsubscribe?: string; after?: string };

export function attachWebSocket(server: Server, deps: GatewayDeps): { close(): void } {
  // ws (with node:tls, node:https and node:zlib, which it imports) is loaded at the first upgrade accepted, not before ready.
  let wss: Promise<WebSocketServer> | undefined;
  const wsServer = () => (wss ??= import('ws').then(({ WebSocketServer }) => new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE })));

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://gateway');
    try {
      const origin = request.headers.origin;
      if (!deps.origins(origin)) throw new TitanError('TITAN_E_FORBIDDEN_ORIGIN', `origin ${String(origin).slice(0, 200)} may not open a WebSocket here`);
      // The token before the path: without one, nothing is revealed (as for HTTP routes).
      const user = await userFor(deps.tokens, presentedToken(request.headers, url.search, true));
      deps.limiter.take(user.tokenId);
      if (url.pathname !== WS_PATH) throw new TitanError('TITAN_E_NOT_FOUND', `no WebSocket at ${url.pathname}`);
      (await wsServer()).handleUpgrade(request, socket, head, (ws) => connection(ws, user));
    } catch (error) {
      deps.metrics.error(writeRawError(socket, error).body.error.code);
    }
  }

  function connection(ws: WebSocket, user: GatewayUser): void {
    const subscriptions = new Map<string, (() => void) | null>();
    let alive = true;
    const send = (value: unknown) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify(value));
      // Too far behind: it reconnects and resumes with `after`.
      if (ws.bufferedAmount > MAX_BUFFERED) ws.close(1013, 'too slow: resubscribe with after');
    };
    const fail = (error: unknown, threadId?: string) => {
      const answer = httpError(error);
      deps.metrics.error(answer.body.error.code, 'ws');
      send({ type: 'ws.error', ...(threadId ? { threadId } : {}), ...answer.body });
    };

    async function subscribe(threadId: string, after: string | undefined): Promise<void> {
      if (subscriptions.has(threadId)) return send({ type: 'ws.subscribed', threadId });
      if (subscriptions.size >= MAX_SUBSCRIPTIONS) throw new TitanError('TITAN_E_INVALID_REQUEST', `at most ${MAX_SUBSCRIPTIONS} threads per socket`);
      subscriptions.set(threadId, null); // taken while the checks below run
      try {
        await ownThread(deps.kernel, user.userId, threadId);
        const off = await openStream(deps.feed, threadId, after ? parseCursor(after) : undefined, (event: TurnEvent) => send(event));
        if (!subscriptions.has(threadId) || ws.readyState !== ws.OPEN) return off();
        subscriptions.set(threadId, off);
        send({ type: 'ws.subscribed', threadId });
      } catch (error) {
        subscriptions.delete(threadId);
        throw error;
      }
    }

    function unsubscribe(threadId: string): void {
      subscriptions.get(threadId)?.();
      subscriptions.delete(threadId);
      send({ type: 'ws.unsubscribed', threadId });
    }

    ws.on('message', (data, isBinary) => {
      let threadId: string | undefined;
      void (async () => {
        if (isBinary) throw new TitanError('TITAN_E_INVALID_REQUEST', 'send JSON text messages');
        let parsed: unknown;
        try {
          parsed = JSON.parse(data.toString());
        } catch {
          throw new TitanError('TITAN_E_INVALID_REQUEST', 'the message is not JSON');
        }
        const message = body<Message>(parsed, MESSAGE);
        threadId = message.subscribe ?? message.unsubscribe;
        deps.limiter.take(user.tokenId);
        if (message.subscribe && !message.unsubscribe) return subscribe(message.subscribe, message.after);
        if (message.unsubscribe && !message.subscribe && !message.after) return unsubscribe(message.unsubscribe);
        throw new TitanError('TITAN_E_INVALID_REQUEST', 'send {"subscribe": threadId, "after"?: eventId} or {"unsubscribe": threadId}');
      })().catch((error: unknown) => fail(error, threadId));
    });
    ws.on('pong', () => (alive = true));
    const ping = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, PING_MS);
    ping.unref();
    const stream = { close: () => ws.terminate() };
    deps.streams.add(stream);
    ws.on('close', () => {
      clearInterval(ping);
      deps.streams.delete(stream);
      for (const off of subscriptions.values()) off?.();
      subscriptions.clear();
    });
  }

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => void upgrade(request, socket, head);
  server.on('upgrade', onUpgrade);
  return {
    close() {
      server.off('upgrade', onUpgrade);
      void wss?.then((open) => open.close()).catch(() => {});
    },
  };
}
