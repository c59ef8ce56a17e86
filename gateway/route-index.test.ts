// The indexed route table answers every request as the plain table does: the same route, the same
// parameters, the middleware a router added under a prefix (which @koa/router runs for every path
// under it, another router's routes included), case-insensitive paths, routes whose first segment is
// a parameter, and paths no route takes falling through to what comes after.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Router } from '@koa/router';
import Koa from 'koa';
import { indexedRoutes } from './route-index.ts';

/** Which middleware a request passed through, as the answer tells. */
type State = { seen?: string[] };
type Ctx = Koa.ParameterizedContext<State> & { params: Record<string, string> };

function table(): Router<State> {
  const answer = (name: string) => (ctx: Ctx) => {
    ctx.body = { route: name, params: ctx.params, seen: ctx.state.seen ?? [] };
  };
  const goals = new Router<State>();
  // As gateway/routes/goals.ts does: middleware on the router, mounted under /api.
  goals.use(async (ctx, next) => {
    ctx.state.seen = [...(ctx.state.seen ?? []), 'goals-middleware'];
    await next();
  });
  goals.get('/goals/events', answer('goal-events'));
  goals.get('/goals/:id', answer('goal'));
  const threads = new Router<State>();
  threads.get('/threads', answer('threads'));
  threads.get('/threads/:id', answer('thread'));
  threads.post('/threads/:id/messages', answer('message'));
  const later = new Router<State>();
  later.get('/usage', answer('usage'));
  const openAi = new Router<State>();
  openAi.get('/models/{*id}', answer('model'));
  openAi.post('/chat/completions', answer('chat'));

  const api = new Router<State>();
  api.use('/api', threads.routes());
  api.use('/api', goals.routes());
  api.use('/api', later.routes());
  api.get('/metrics', answer('metrics'));
  api.get('/:kind/special', answer('special'));
  api.get('/{:lang/}docs', answer('docs'));
  api.use('/v1', openAi.routes());
  return api;
}

/** As the web UI's files are served (gateway/ui/serve.ts): a strict router, a route at the root. */
function uiTable(): Router<State> {
  const ui = new Router<State>({ strict: true });
  ui.get('/', (ctx) => ctx.redirect('/ui/'));
  ui.get('/ui/', (ctx) => {
    ctx.body = 'index';
  });
  ui.get('/ui/app.js', (ctx) => {
    ctx.body = 'app';
  });
  ui.get('/ui/{*rest}', (ctx) => {
    ctx.status = 404;
    ctx.body = `no file ${ctx.params.rest}`;
  });
  return ui;
}

async function serve(routes: Koa.Middleware<State>): Promise<{ url: string; close(): void }> {
  const app = new Koa<State>();
  app.use(routes);
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { route: 'none' };
  });
  const server = http.createServer(app.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const REQUESTS: Array<[string, string]> = [
  ['GET', '/api/threads'],
  ['GET', '/api/threads/'],
  ['GET', '/API/Threads/t1'],
  ['POST', '/api/threads/t1/messages'],
  ['GET', '/api/threads/t1/messages'],
  ['GET', '/api/goals/events'],
  ['GET', '/api/goals/g1'],
  ['GET', '/api/usage'],
  ['GET', '/api/unknown'],
  ['GET', '/api'],
  ['GET', '/metrics'],
  ['GET', '/metrics/'],
  ['GET', '/api/special'],
  ['GET', '/threads/special'],
  ['GET', '/docs'],
  ['GET', '/en/docs'],
  ['GET', '/v1/models/titan'],
  ['GET', '/v1/models/a/b'],
  ['POST', '/v1/chat/completions'],
  ['GET', '/v1/chat/completions'],
  ['GET', '/nowhere/at/all'],
  ['GET', '//api/threads'],
  ['GET', '/'],
  ['GET', '/ui'],
  ['GET', '/ui/'],
  ['GET', '/ui/app.js'],
  ['GET', '/ui/app.js/'],
  ['GET', '/UI/App.js'],
  ['GET', '/ui/x/y'],
];

test('every request meets the same route, parameters and middleware as in the plain table', async (t) => {
  const both = (build: () => Router<State>): Koa.Middleware<State> => {
    const routes = build().routes() as Koa.Middleware<State>;
    const ui = uiTable().routes() as Koa.Middleware<State>;
    return (ctx, next) => ui(ctx, () => routes(ctx, next));
  };
  const plain = await serve(both(table));
  const index = indexedRoutes(table());
  const uiIndex = indexedRoutes(uiTable());
  const indexed = await serve((ctx, next) => uiIndex(ctx, () => index(ctx, next)));
  t.after(() => {
    plain.close();
    indexed.close();
  });
  const ask = async (base: string, method: string, path: string) => {
    const response = await fetch(base + path, { method });
    return { status: response.status, body: await response.text() };
  };
  for (const [method, path] of REQUESTS) {
    const expected = await ask(plain.url, method, path);
    assert.deepEqual(await ask(indexed.url, method, path), expected, `${method} ${path}`);
  }
  // The cases the table is there for, spelt out.
  assert.deepEqual(JSON.parse((await ask(indexed.url, 'GET', '/api/usage')).body), { route: 'usage', params: {}, seen: ['goals-middleware'] });
  assert.equal(JSON.parse((await ask(indexed.url, 'GET', '/threads/special')).body).route, 'special');
  assert.equal((await ask(indexed.url, 'GET', '/nowhere/at/all')).status, 404);
});
