// How the gateway serves the web UI's files: without a token (they hold no data), with their
// content types, a strict Content-Security-Policy (scripts from this origin only, none inline),
// revalidation by ETag, and nothing outside the fixed list of files.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startGateway, type Gateway } from '../server.ts';
import type { Kernel } from '../../kernel/api.ts';
import { Agent } from '../../agent/api.ts';
import { openTestKernel } from '../../test/support/kernel.ts';
import { scriptedModel } from '../../test/support/model-double.ts';

let kernel: Kernel;
let cleanup: () => Promise<void>;
let agent: Agent;
let gateway: Gateway;

before(async () => {
  let home: string;
  ({ kernel, home, cleanup } = await openTestKernel());
  agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: scriptedModel([]) });
  gateway = await startGateway({ kernel, agent, host: '127.0.0.1', port: 0, openAi: false });
});

after(async () => {
  await gateway.close();
  await agent.close();
  await cleanup();
});

/** The status of a plain GET (fetch would add `cache-control: no-cache` to a conditional request). */
function statusWith(route: string, headers: Record<string, string>): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    http
      .get(gateway.url + route, { headers }, (response) => {
        response.resume();
        resolve(response.statusCode);
      })
      .on('error', reject);
  });
}

const get = (route: string, headers: Record<string, string> = {}) => fetch(gateway.url + route, { headers, redirect: 'manual' });

test('/ and /ui redirect to /ui/, which serves the page without a token, with a strict CSP', async () => {
  for (const route of ['/', '/ui']) {
    const response = await get(route);
    assert.equal(response.status, 302, route);
    assert.equal(response.headers.get('location'), '/ui/');
  }
  const page = await get('/ui/');
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  const csp = Object.fromEntries(
    (page.headers.get('content-security-policy') ?? '').split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
  assert.equal(csp['default-src'], "'none'");
  assert.equal(csp['script-src'], "'self'", 'scripts from this origin only: no inline script, no eval');
  assert.equal(csp['connect-src'], "'self'");
  assert.equal(csp['frame-ancestors'], "'none'");
  assert.equal(csp['require-trusted-types-for'], "'script'");

  const html = await page.text();
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length > 0);
  for (const [, attributes, body] of scripts) {
    assert.match(attributes, /\bsrc="\/ui\/[\w./-]+\.js"/, 'every script is a file');
    assert.equal(body.trim(), '', 'no inline script');
  }
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
});

test('every module the page loads is served as JavaScript, the vendored builds included, and revalidates by ETag', async () => {
  for (const name of [
    'app.js',
    'api.js',
    'chat.js',
    'threads.js',
    'components.js',
    'patches.js',
    'markdown.js',
    'turn-view.js',
    'dom.js',
    'vendor/marked.js',
    'vendor/purify.js',
  ]) {
    const response = await get(`/ui/${name}`);
    assert.equal(response.status, 200, name);
    assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8', name);
    const body = await response.text();
    assert.match(body, /^(import|export)\b|\bexport\s*\{/m, `${name} is an ES module`);
    assert.doesNotMatch(body, /sourceMappingURL/, `${name}: no source map is referenced (none is served)`);
    assert.equal(await statusWith(`/ui/${name}`, { 'if-none-match': response.headers.get('etag')! }), 304, `${name} revalidates`);
  }
  assert.equal((await get('/ui/style.css')).headers.get('content-type'), 'text/css; charset=utf-8');
});

test('nothing outside the list is served: other paths under /ui/ are a coded 404, and the API still needs the token', async () => {
  for (const route of ['/ui/nope.js', '/ui/serve.ts', '/ui/index.html.bak', '/ui/vendor/..%2f..%2fpackage.json', '/ui/vendor/marked.esm.js.map']) {
    const response = await get(route);
    assert.equal(response.status, 404, route);
    assert.equal((await response.json()).error.code, 'TITAN_E_NOT_FOUND', route);
  }
  const api = await get('/api/threads');
  assert.equal(api.status, 401);
});
