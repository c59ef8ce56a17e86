// Browser origins. A WebSocket carries no CORS protection, so its Origin is checked here: parsed
// (never matched as text), loopback or configured origins only; no Origin at all is a non-browser
// client and is let through (it still needs the token). CORS for the REST API stays off unless
// corsOrigins names the origins a browser page may call it from.
import { isIP } from 'node:net';
import type { Context, Next } from 'koa';

/** "scheme://host[:port]" with default ports dropped, or undefined when it is not an http(s) origin. */
export function normalizeOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.origin;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

export type OriginPolicy = (origin: string | undefined) => boolean;

export function originPolicy(allowed: string[]): OriginPolicy {
  const configured = new Set(allowed.map(normalizeOrigin).filter((o): o is string => o !== undefined));
  return (origin) => {
    if (origin === undefined) return true;
    const normalized = normalizeOrigin(origin);
    if (!normalized) return false; // "null", file://, garbage
    return isLoopbackHost(new URL(normalized).hostname) || configured.has(normalized);
  };
}

const ALLOW_HEADERS = 'Authorization, Content-Type, Last-Event-ID';
const ALLOW_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';

/** CORS for the configured origins only; with none configured this adds nothing. */
export function cors(origins: string[]) {
  const allowed = new Set(origins.map(normalizeOrigin).filter((o): o is string => o !== undefined));
  return async function corsHeaders(ctx: Context, next: Next): Promise<void> {
    const origin = ctx.get('origin');
    if (allowed.size === 0 || !origin) return next();
    ctx.vary('Origin');
    const normalized = normalizeOrigin(origin);
    if (!normalized || !allowed.has(normalized)) return next();
    ctx.set('Access-Control-Allow-Origin', normalized);
    ctx.set('Access-Control-Expose-Headers', 'Retry-After');
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
      ctx.set('Access-Control-Allow-Methods', ALLOW_METHODS);
      ctx.set('Access-Control-Allow-Headers', ALLOW_HEADERS);
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    await next();
  };
}
