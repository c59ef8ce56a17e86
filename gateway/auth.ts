// Bearer-token authentication: every route but /api/health and /api/ready needs a token. Streams
// (SSE, WebSocket) may pass it as ?token= as well, since a browser's EventSource and WebSocket
// cannot set headers. A failure says only that a valid token is needed: nothing about the route.
import type { IncomingHttpHeaders } from 'node:http';
import type { Context, Next } from 'koa';
import { TitanError } from '../common/errors.ts';
import type { GatewayUser, TokenStore } from './tokens.ts';

/** `local`: the request came over the owner-only control socket, not TCP. */
export type AuthState = { user: GatewayUser; local?: boolean };

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

/**
 * The control socket's authentication: the socket file is the owner's alone (mode 0600 in a 0700
 * folder), so whoever can connect is the owner and no token is asked for.
 */
export function ownerOnSocket(ownerId: string) {
  return async function owner(ctx: Context, next: Next): Promise<void> {
    (ctx.state as AuthState).user = { userId: ownerId, admin: true, tokenId: 'control-socket' };
    (ctx.state as AuthState).local = true;
    await next();
  };
}

/** Routes that name files on this machine (export, publish a folder) answer on the control socket only. */
export function requireLocal(ctx: { state: AuthState }): void {
  requireAdmin(ctx);
  if (!ctx.state.local) {
    throw new TitanError('TITAN_E_FORBIDDEN', "this route reads or writes files on the kernel's machine: it answers on the control socket only", {
      fix: 'run the titan command on the machine the kernel runs on',
    });
  }
}

/** Kernel-wide changes (patches) are the owner's: other users' tokens read only their own data. */
export function requireAdmin(ctx: { state: AuthState }): void {
  if (!ctx.state.user.admin) throw new TitanError('TITAN_E_FORBIDDEN', 'only the owner can change the kernel');
}
