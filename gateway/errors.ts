// The one place where anything thrown on the gateway becomes an HTTP answer: a TitanError keeps its
// code and takes its status from the ERRORS table; anything else is an internal error whose details
// go to the kernel log, not to the client. The body is always {error: {code, message, fix}}, with
// `problems` when the error lists several things the user must correct (a refused configuration).
import type { Context, Next } from 'koa';
import { ERRORS, TitanError, type ErrorCode } from '../common/errors.ts';

export type ErrorBody = { error: { code: ErrorCode; message: string; fix?: string; problems?: string[] } };
export type HttpError = { status: number; body: ErrorBody; headers: Record<string, string> };

/** Errors raised by Koa's own helpers (body parsing) carry an HTTP status and an `expose` flag. */
type KoaHttpError = Error & { status?: number; expose?: boolean; type?: string };

export function toTitanError(error: unknown): TitanError {
  if (error instanceof TitanError) return error;
  const http = error as KoaHttpError;
  if (http?.status === 413) return new TitanError('TITAN_E_BODY_TOO_LARGE', 'the request body is too large');
  if (http?.expose && typeof http.status === 'number' && http.status >= 400 && http.status < 500) {
    return new TitanError('TITAN_E_INVALID_REQUEST', http.message);
  }
  return new TitanError('TITAN_E_INTERNAL', 'internal error', { cause: error });
}

export function httpError(error: unknown): HttpError {
  const titan = toTitanError(error);
  // The CLI's generic advice ("run npx titan help") means nothing to an HTTP client.
  const fix = titan.code === 'TITAN_E_USAGE' && titan.fix === ERRORS.TITAN_E_USAGE.fix ? undefined : titan.fix;
  const headers: Record<string, string> = {};
  if (titan.code === 'TITAN_E_AUTH') headers['www-authenticate'] = 'Bearer realm="titan"';
  const retryAfter = titan.details?.retryAfterSeconds;
  if (typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
  const problems = titan.details?.problems;
  const listed = Array.isArray(problems) && problems.every((p) => typeof p === 'string') ? { problems: problems as string[] } : {};
  return { status: titan.status, body: { error: { code: titan.code, message: titan.message, ...(fix ? { fix } : {}), ...listed } }, headers };
}

export type ErrorReporter = (code: ErrorCode, error: unknown) => void;

/** Outermost middleware: every failure below it is answered here, and reported once. */
export function errorHandler(report: ErrorReporter) {
  return async function handleErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } catch (error) {
      const answer = httpError(error);
      report(answer.body.error.code, error);
      if (ctx.headerSent || !ctx.writable) return;
      ctx.status = answer.status;
      ctx.set(answer.headers);
      ctx.body = answer.body;
    }
  };
}

/** The same answer written to a raw socket: WebSocket upgrades are refused before Koa sees them. */
export function writeRawError(socket: { write(data: string): unknown; destroy(): void }, error: unknown): HttpError {
  const answer = httpError(error);
  const body = JSON.stringify(answer.body);
  const headers = Object.entries({
    ...answer.headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.write(`HTTP/1.1 ${answer.status} ${statusText(answer.status)}\r\n${headers}\r\n${body}`);
  socket.destroy();
  return answer;
}

function statusText(status: number): string {
  return (
    (
      {
        400: 'Bad Request',
        401: 'Unauthorized',
        403: 'Forbidden',
        404: 'Not Found',
        413: 'Payload Too Large',
        415: 'Unsupported Media Type',
        429: 'Too Many Requests',
        500: 'Internal Server Error',
        503: 'Service Unavailable',
      } as Record<number, string>
    )[status] ?? 'Error'
  );
}
