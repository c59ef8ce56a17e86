// Bearer-token authentication: every route but /api/health and /api/ready needs a token. Streams
// (SSE, WebSocket) may pass it as ?token= as well, since a browser's EventSource and WebSocket
// cannot set headers. A failure says only that a valid token is needed: nothing about the route.
import type { IncomingHttpHeaders } from 'node:http';
import type { Context, Next } from 'koa';
import { TitanError } from '../common/errors.ts';
import type { GatewayUser, TokenStore } from './tokens.ts';

export type AuthState = { user: GatewayUser };

/** The token from "Authorization: Bearer ..." or, where allowed, from ?token= (URL-decoded). */
export function presentedToken(headers: IncomingHttpHeaders, search: string, queryAllowed: boolean): string | undefined {
  const header = headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  if (!queryAllowed) return undefined;
  return new URLSearchParams(search).get('token') ?? undefined;
}

export async function userFor(tokens: TokenStore, token: string | undefined): Promise<GatewayUser> {
  const user = await tokens.lookup(token);
  if (!user) throw new TitanError('TITAN_E_AUTH', 'a valid bearer token is required');
  return user;
}

export function authenticate(tokens: TokenStore, queryAllowed: (ctx: Context) => boolean) {
  return async function auth(ctx: Context, next: Next): Promise<void> {
    const token = presentedToken(ctx.headers, ctx.querystring, queryAllowed(ctx));
    (ctx.state as AuthState).user = await userFor(tokens, token);
    await next();
  };
}

/** Kernel-wide changes (patches) are the owner's: other users' tokens read only their own data. */
export function requireAdmin(ctx: { state: AuthState }): void {
  if (!ctx.state.user.admin) throw new TitanError('TITAN_E_FORBIDDEN', 'only the owner can change the kernel');
}
