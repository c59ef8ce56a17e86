// The kernel log for the Logs page (the owner's): its last lines with filters (level and above,
// words, source) and the same filters followed live over Server-Sent Events. Lines hold what the
// log holds: message and answer text never reaches it at info (kernel/logger.ts).
import { Router } from '@koa/router';
import { logLineMatches, recentLogs, type LogFilter, type LogLine } from '../../kernel/api.ts';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { openSseAnswer } from '../sse-answer.ts';
import { params } from '../validate.ts';

/** The live log: a browser's EventSource sends its token as ?token= (app.ts allows that here only). */
export const LOG_STREAM_PATH = /^\/api\/logs\/events$/;
const FILTER = {
  type: 'object',
  additionalProperties: false,
  properties: {
    level: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] },
    text: { type: 'string', maxLength: 200 },
    source: { type: 'string', maxLength: 200 },
    after: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 2000, default: 500 },
    token: { type: 'string' },
  },
} as const;

type Query = LogFilter & { limit: number; token?: string };

function filterOf(query: Record<string, unknown>): Query {
  const { token: _token, ...filter } = params<Query>(query, FILTER);
  // An empty box on the page is no filter.
  if (!filter.text) delete filter.text;
  if (!filter.source) delete filter.source;
  return filter;
}

export function logRoutes({ kernel, streams }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  const ring = () => recentLogs(kernel.logger);

  router.get('/logs', (ctx) => {
    requireAdmin(ctx);
    const { limit, ...filter } = filterOf(ctx.query);
    const logs = ring();
    ctx.body = { enabled: logs !== undefined, lines: logs?.read(filter, limit) ?? [], sources: logs?.sources() ?? [] };
  });

  router.get('/logs/events', (ctx) => {
    requireAdmin(ctx);
    const { limit, ...filter } = filterOf(ctx.query);
    let off = () => {};
    const answer = openSseAnswer(ctx, streams, () => off());
    if (answer.closed) return;
    const send = (line: LogLine) => answer.write(`id: ${line.seq}\nevent: log\ndata: ${JSON.stringify(line)}\n\n`);
    const logs = ring();
    answer.write('retry: 2000\n\n');
    if (!logs) return;
    // Resumes after the last line a reconnecting browser saw; a first look gets the recent lines.
    const after = Number(ctx.get('last-event-id')) || filter.after;
    for (const line of logs.read({ ...filter, after }, limit)) send(line);
    off = logs.follow((line) => {
      if (logLineMatches(line, filter)) send(line);
    });
  });

  return router;
}
