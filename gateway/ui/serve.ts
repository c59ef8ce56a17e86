// The web UI's static files: a fixed table of names (nothing else under /ui/ is read from disk),
// each read once and kept in memory with its ETag. Every answer carries a strict
// Content-Security-Policy: scripts only from this origin and never inline, no plugins, no frames,
// and Trusted Types so that only DOMPurify's policy may turn a string into HTML.
// No token is needed for these files: they hold no data; everything they show comes from /api.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { TitanError } from '../../common/errors.ts';
import { vendoredFile } from '../../common/vendored.ts';

export const UI_PREFIX = '/ui';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types dompurify',
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const own = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/**
 * URL path under /ui/ -> file on disk. The browser libraries (ES module builds) are copies an installed
 * Titan carries, or their packages' files in a clone (common/vendored.ts).
 */
const FILES: Record<string, () => string> = {
  '': () => own('./index.html'),
  'style.css': () => own('./style.css'),
  'favicon.svg': () => own('./favicon.svg'),
  'app.js': () => own('./app.js'),
  'api.js': () => own('./api.js'),
  'dom.js': () => own('./dom.js'),
  'markdown.js': () => own('./markdown.js'),
  'chat.js': () => own('./chat.js'),
  'turn-view.js': () => own('./turn-view.js'),
  'threads.js': () => own('./threads.js'),
  'components.js': () => own('./components.js'),
  'patches.js': () => own('./patches.js'),
  'reflexes.js': () => own('./reflexes.js'),
  'jobs.js': () => own('./jobs.js'),
  'goals.js': () => own('./goals.js'),
  'swarm-view.js': () => own('./swarm-view.js'),
  'profile.js': () => own('./profile.js'),
  'routines.js': () => own('./routines.js'),
  'settings.js': () => own('./settings.js'),
  'settings-providers.js': () => own('./settings-providers.js'),
  'settings-channels.js': () => own('./settings-channels.js'),
  'settings-config.js': () => own('./settings-config.js'),
  'logs.js': () => own('./logs.js'),
  'usage.js': () => own('./usage.js'),
  'vendor/uplot.js': () => vendoredFile('uplot.js'),
  'vendor/uplot.css': () => vendoredFile('uplot.css'),
  'memory.js': () => own('./memory.js'),
  'code-graph-view.js': () => own('./code-graph-view.js'),
  'graph-picture.js': () => own('./graph-picture.js'),
  'vendor/marked.js': () => vendoredFile('marked.js'),
  'vendor/purify.js': () => vendoredFile('purify.js'),
  'vendor/cytoscape.js': () => vendoredFile('cytoscape.js'),
};

type Asset = { body: Buffer; type: string; etag: string };

function typeOf(file: string): string {
  const dot = file.lastIndexOf('.');
  return TYPES[file.slice(dot)] ?? TYPES['.js'];
}

/** Drops the `//# sourceMappingURL=` line of the vendored builds: the maps are not served. */
function withoutSourceMap(text: string): string {
  return text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

function setSecurityHeaders(ctx: Context): void {
  ctx.set('content-security-policy', CONTENT_SECURITY_POLICY);
  ctx.set('x-content-type-options', 'nosniff');
  ctx.set('referrer-policy', 'no-referrer');
  ctx.set('cross-origin-opener-policy', 'same-origin');
  ctx.set('cross-origin-resource-policy', 'same-origin');
}

/**
 * GET / and /ui redirect to /ui/ (the browser keeps the #token=... fragment across a redirect);
 * /ui/<name> serves the table above; any other /ui/ path is TITAN_E_NOT_FOUND.
 * Mount before authentication.
 */
export function uiRoutes(): Router {
  // strict: "/ui" and "/ui/" are different routes (the first redirects to the second).
  const router = new Router({ strict: true });
  const cache = new Map<string, Promise<Asset>>();

  const load = (name: string): Promise<Asset> => {
    let asset = cache.get(name);
    if (!asset) {
      const file = FILES[name]();
      asset = readFile(file, 'utf8').then((text) => {
        const body = Buffer.from(name.startsWith('vendor/') ? withoutSourceMap(text) : text);
        return { body, type: typeOf(file), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
      });
      asset.catch(() => cache.delete(name));
      cache.set(name, asset);
    }
    return asset;
  };

  const redirect = (ctx: Context) => ctx.redirect(`${UI_PREFIX}/`);
  router.get('/', redirect);
  router.get(UI_PREFIX, redirect);

  for (const name of Object.keys(FILES)) {
    router.get(`${UI_PREFIX}/${name}`, async (ctx) => {
      const asset = await load(name);
      setSecurityHeaders(ctx);
      ctx.set('cache-control', 'no-cache');
      ctx.etag = asset.etag;
      ctx.type = asset.type;
      ctx.status = 200; // ctx.fresh looks at 2xx answers only
      if (ctx.fresh) {
        ctx.status = 304;
        return;
      }
      ctx.body = asset.body;
    });
  }

  router.get(`${UI_PREFIX}/{*rest}`, (ctx) => {
    setSecurityHeaders(ctx);
    throw new TitanError('TITAN_E_NOT_FOUND', `no file ${ctx.path}`);
  });

  return router;
}
