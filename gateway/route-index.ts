// A route table indexed by the first two segments of a path (/api/threads, /v1/chat, /metrics):
// a request is matched against the routes that could answer it rather than all of them (@koa/router
// tests every route's pattern in turn: the API's ~150 and the web UI's ~40 cost 0.1-0.2 ms a request). Each part keeps the
// table's order and its middleware; a route whose leading segments are patterns rather than plain
// text goes into every part it could match, so a request meets exactly the routes it met before.
import { Router } from '@koa/router';
import type Koa from 'koa';

type Layer = Router['stack'][number];
/** Unknown: a pattern, or no segment there (a route that ends, middleware under a prefix). */
type Leading = [first: string | undefined, second: string | undefined];

/** A segment matched as plain text (anything path-to-regexp reads as syntax is a pattern). */
const PLAIN = /^[\w.~-]+$/;

/** A route's first two segments where they are plain text, lower-case (routes match regardless of case). */
function leading(layer: Layer): Leading {
  if (typeof layer.path !== 'string' || layer.opts.pathAsRegExp) return [undefined, undefined];
  const [, first, second] = layer.path.split('/', 3);
  if (first === undefined || !PLAIN.test(first)) return [undefined, undefined];
  return [first.toLowerCase(), second !== undefined && PLAIN.test(second) ? second.toLowerCase() : undefined];
}

/** A router answering with the table's routes that `fits` keeps, in the table's order. */
function part<S>(routes: Array<{ layer: Layer; at: Leading }>, fits: (at: Leading) => boolean): Koa.Middleware<S> {
  const router = new Router<S>();
  router.stack.push(...(routes.filter((r) => fits(r.at)).map((r) => r.layer) as Router<S>['stack']));
  return router.routes() as Koa.Middleware<S>;
}

/** The table's routes as one middleware that first picks the part a request's path can match. */
export function indexedRoutes<S>(table: Router<S>): Koa.Middleware<S> {
  const routes = (table.stack as Layer[]).map((layer) => ({ layer, at: leading(layer) }));
  const parts = new Map<string, Koa.Middleware<S>>();
  for (const { at } of routes) {
    const [first, second] = at;
    if (first === undefined) continue;
    // Requests whose second segment no route names: routes of this first segment that do not name one.
    if (!parts.has(first))
      parts.set(
        first,
        part<S>(routes, ([a, b]) => a === undefined || (a === first && b === undefined)),
      );
    const key = `${first}/${second}`;
    if (second !== undefined && !parts.has(key)) {
      parts.set(
        key,
        part<S>(routes, ([a, b]) => (a === undefined || a === first) && (b === undefined || b === second)),
      );
    }
  }
  const rest = part<S>(routes, ([a]) => a === undefined);
  return (ctx, next) => {
    const [, first = '', second = ''] = ctx.path.toLowerCase().split('/', 3);
    return (parts.get(`${first}/${second}`) ?? parts.get(first) ?? rest)(ctx, next);
  };
}
