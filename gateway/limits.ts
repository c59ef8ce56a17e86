// What one client may ask of the gateway: a rate per token (a token bucket that refills
// continuously and allows a burst of one minute's worth), and a body size with JSON only.
import { bodyParser } from '@koa/bodyparser';
import type { Context, Next } from 'koa';
import { TitanError } from '../common/errors.ts';
import type { AuthState } from './auth.ts';

type Bucket = { tokens: number; updated: number };

export class RateLimiter {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(perMinute: number, now: () => number = Date.now) {
    this.#capacity = perMinute;
    this.#perMs = perMinute / 60_000;
    this.#now = now;
  }

  /** Takes one request from `key`'s bucket; throws TITAN_E_RATE_LIMITED (with Retry-After) when empty. */
  take(key: string): void {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#capacity, updated: now };
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + (now - bucket.updated) * this.#perMs);
    bucket.updated = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs / 1000));
    throw new TitanError('TITAN_E_RATE_LIMITED', `more than ${this.#capacity} requests a minute with this token`, { details: { retryAfterSeconds } });
  }
}

export function rateLimit(limiter: RateLimiter) {
  return async function limit(ctx: Context, next: Next): Promise<void> {
    limiter.take((ctx.state as AuthState).user.tokenId);
    await next();
  };
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** JSON bodies up to `maxBytes`: a larger Content-Length is refused before a byte is read. */
export function jsonBody(maxBytes: number) {
  const parse = bodyParser({
    enableTypes: ['json'],
    jsonLimit: maxBytes,
    encoding: 'utf-8',
    onError(error) {
      throw bodyFailure(error, maxBytes);
    },
  });
  return async function body(ctx: Context, next: Next): Promise<void> {
    if (!BODY_METHODS.has(ctx.method)) return next();
    const length = Number(ctx.get('content-length') || 0);
    if (length > maxBytes) throw tooLarge(maxBytes);
    const hasBody = length > 0 || ctx.get('transfer-encoding') !== '';
    if (hasBody && !ctx.is('application/json', '+json')) {
      throw new TitanError('TITAN_E_INVALID_REQUEST', 'the body must be JSON (Content-Type: application/json)');
    }
    if (!hasBody) {
      ctx.request.body = {};
      return next();
    }
    await parse(ctx, next);
  };
}

function tooLarge(maxBytes: number | string): TitanError {
  return new TitanError('TITAN_E_BODY_TOO_LARGE', `the request body is over ${maxBytes}${typeof maxBytes === 'number' ? ' bytes' : ''}`);
}

/**
 * What a body parser's failure (co-body, raw-body, zlib) means to the client: too large, also once
 * inflated (413); a Content-Encoding it cannot read (415); or a body that is not what its headers
 * say - broken compressed data, bad JSON (400). Never a 500, and nothing of the body echoed.
 */
export function bodyFailure(error: unknown, maxBytes: number | string): TitanError {
  const e = error as { status?: number; type?: string; code?: string };
  if (e?.status === 413 || e?.type === 'entity.too.large') return tooLarge(maxBytes);
  if (e?.status === 415 || e?.type === 'encoding.unsupported') {
    return new TitanError('TITAN_E_UNSUPPORTED_ENCODING', 'the request body has a Content-Encoding Titan cannot read');
  }
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) {
    return new TitanError('TITAN_E_INVALID_REQUEST', 'the request body is not valid data for its Content-Encoding');
  }
  return new TitanError('TITAN_E_INVALID_REQUEST', 'the body is not valid JSON');
}
