// What the first turn after ready would otherwise load on its own path, loaded just after ready
// instead: koa's body setter checks an answer against the global Response, whose first read loads
// undici, a JSON body's type and a request's type check look them up in mime-types, and reading a
// request's JSON body decodes it with iconv-lite (through raw-body): the start bundle loads both on
// first use, from node_modules (bin/bundle/lazy-packages.ts). Run once, on a context of the app's own
// made from a request that never arrived: the same code a turn runs, without a connection.
// It runs after the first ready answer went out (so ready waits for neither), or a while after the
// gateway listens when nothing asks whether it is ready.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import type Koa from 'koa';

/** When nothing has asked /api/ready by then, the warm runs anyway (a person's first turn comes later). */
export const WARM_WITHOUT_READY_MS = 1000;

const warmed = new WeakSet<Koa>();

/** Loads what a turn's request and answer need through `app`'s own context; once per app. */
export function warmFirstTurn(app: Koa): void {
  if (warmed.has(app)) return;
  warmed.add(app);
  try {
    const request = new IncomingMessage(new Socket());
    request.method = 'POST';
    request.headers = { 'content-type': 'application/json', 'content-length': '2' };
    const ctx = app.createContext(request, new ServerResponse(request));
    ctx.is('application/json', '+json');
    request.push('{}');
    request.push(null);
    void bodyParser({ enableTypes: ['json'] })(ctx, async () => {}).catch(() => {});
    ctx.body = {};
  } catch {
    // a warm that fails leaves the first turn to load them, as before
  }
}
