// The web tools as the agent uses them, against local servers speaking the real formats: web-fetch
// turns an HTML article into Markdown with its title and absolute links (after a redirect) and is
// refused a private address the owner did not grant; web-search reads SearXNG's JSON API and Brave
// Search's API, whose key the host places in the request without the component seeing it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kernel } from '../../kernel/api.ts';
import { publishComponent } from '../../kernel/publish.ts';
import { buildBuiltin } from '../../test/support/fixtures.ts';
import { openTestKernel } from '../../test/support/kernel.ts';
import { serveLocally } from '../../test/support/local-server.ts';

const ARTICLE = `<!doctype html><html><head><title>Otters | Nature Site</title><script>var tracking = "SHOULD-NOT-APPEAR";</script></head>
<body><nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article><h1>Sea otters use tools</h1>
<p>Sea otters are among the few mammals known to use tools. They crack open shellfish with stones, often while floating on their backs, and keep a favourite stone in a pouch of loose skin under the forearm.</p>
<p>Researchers at the <a href="/research/otters">marine institute</a> found that the habit spreads within families and can be traced back thousands of years through wear marks left on coastal rocks.</p>
<p>See also <a href="https://example.org/kelp">kelp forests</a>, which otters protect by eating sea urchins that would otherwise graze the kelp down to bare rock.</p>
</article><footer>© Nature Site</footer></body></html>`;

async function deploy(kernel: Kernel, name: string) {
  const built = await buildBuiltin(name);
  await kernel.deployManifest(await publishComponent(kernel, built));
}

const call = async (kernel: Kernel, name: string, input: unknown) => JSON.parse((await kernel.call('tool', name, 'invoke', [JSON.stringify(input)])) as string);

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  assert.fail('expected a refusal');
}

test('web-fetch: an article as Markdown with title and links; text as is; a private address refused', async (t) => {
  const site = await serveLocally(t, (req, res) => {
    if (req.url === '/old') return res.writeHead(301, { location: '/article' }).end();
    if (req.url === '/article') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(ARTICLE);
    if (req.url === '/notes.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end('plain notes, ünïcode ✓');
    res.writeHead(404).end();
  });
  const elsewhere = await serveLocally(t, (_q, res) => res.end('nothing to see'));
  const { kernel, cleanup } = await openTestKernel({
    config: {
      components: {
        'tool/web-fetch': {
          capabilities: {
            // The owner grants the one loopback address by name; every other host stays public-only.
            http: {
              allow: [
                { host: '127.0.0.1', schemes: ['http'], methods: ['GET'], private: true },
                { host: '*', schemes: ['http', 'https'], methods: ['GET'] },
              ],
            },
          },
        },
      },
    },
  });
  t.after(cleanup);
  await deploy(kernel, 'web-fetch');

  const page = await call(kernel, 'web-fetch', { url: `http://127.0.0.1:${site.port}/old` });
  assert.equal(page.url, `http://127.0.0.1:${site.port}/article`);
  assert.equal(page.title, 'Otters | Nature Site');
  assert.match(page.content, /^#+ Sea otters use tools/m);
  assert.match(page.content, /Sea otters are among the few mammals known to use tools/);
  assert.match(page.content, /\[marine institute\]\(http:\/\/127\.0\.0\.1:\d+\/research\/otters\)/);
  assert.ok(!page.content.includes('SHOULD-NOT-APPEAR'), 'scripts are dropped');
  assert.deepEqual(
    page.links.map((l: { url: string }) => l.url),
    [`http://127.0.0.1:${site.port}/research/otters`, 'https://example.org/kelp'],
  );
  assert.equal(page.truncated, false);
  const cut = await call(kernel, 'web-fetch', { url: `http://127.0.0.1:${site.port}/article`, maxChars: 100 });
  assert.equal(cut.content.length, 100);
  assert.equal(cut.truncated, true);

  const text = await call(kernel, 'web-fetch', { url: `http://127.0.0.1:${site.port}/notes.txt` });
  assert.equal(text.content, 'plain notes, ünïcode ✓');

  // localhost is not granted by name: it matches "*", resolves to loopback, and is refused unsent.
  const denied = await refusal(call(kernel, 'web-fetch', { url: `http://localhost:${elsewhere.port}/` }));
  assert.match(denied.message, /TITAN_E_HTTP_DENIED: localhost resolves to a private address/);
  assert.equal(elsewhere.connections, 0);
});

test('web-search: SearXNG JSON and Brave Search, the Brave key placed by the host', async (t) => {
  const searx = await serveLocally(t, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    assert.equal(url.pathname, '/search');
    assert.equal(url.searchParams.get('format'), 'json');
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        query: url.searchParams.get('q'),
        number_of_results: 0,
        results: [
          {
            url: 'https://en.wikipedia.org/wiki/Sea_otter',
            title: 'Sea otter - Wikipedia',
            content: 'The sea otter is a marine mammal &amp; a tool user.',
            engine: 'wikipedia',
            engines: ['wikipedia'],
            positions: [1],
            score: 1,
            category: 'general',
            parsed_url: ['https', 'en.wikipedia.org', '/wiki/Sea_otter', '', '', ''],
            template: 'default.html',
          },
          {
            url: 'https://www.nationalgeographic.com/animals/mammals/facts/sea-otter',
            title: 'Sea Otter | National Geographic',
            content: 'Facts about sea otters.',
            engine: 'duckduckgo',
            engines: ['duckduckgo'],
            positions: [2],
            score: 0.5,
            category: 'general',
          },
        ],
        answers: [],
        corrections: [],
        infoboxes: [],
        suggestions: [],
        unresponsive_engines: [],
      }),
    );
  });
  const tokens: Array<string | undefined> = [];
  const brave = await serveLocally(t, (req, res) => {
    tokens.push(req.headers['x-subscription-token'] as string | undefined);
    if (req.headers['x-subscription-token'] !== 'BSA-test-key-123')
      return res.writeHead(401, { 'content-type': 'application/json' }).end('{"type":"ErrorResponse"}');
    const q = new URL(req.url ?? '/', 'http://x').searchParams.get('q');
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        type: 'search',
        query: { original: q, more_results_available: true },
        web: {
          type: 'search',
          family_friendly: true,
          results: [
            {
              title: 'Sea Otter Facts',
              url: 'https://oceana.org/marine-life/sea-otter/',
              is_source_local: false,
              is_source_both: false,
              description: 'Sea otters <strong>use tools</strong> to eat. Your key: BSA-test-key-123',
              language: 'en',
              family_friendly: true,
              type: 'search_result',
              subtype: 'generic',
              meta_url: { scheme: 'https', netloc: 'oceana.org' },
            },
          ],
        },
      }),
    );
  });
  const grant = () => ({ allow: [{ host: '127.0.0.1', schemes: ['http'], methods: ['GET'], private: true }], secrets: { BRAVE_API_KEY: ['127.0.0.1'] } });
  const searxKernel = await openTestKernel({
    config: { components: { 'tool/web-search': { capabilities: { http: grant() }, settings: { api: 'searxng', url: `http://127.0.0.1:${searx.port}` } } } },
  });
  t.after(searxKernel.cleanup);
  await deploy(searxKernel.kernel, 'web-search');
  const found = await call(searxKernel.kernel, 'web-search', { query: 'sea otter tools', count: 1 });
  assert.deepEqual(found, {
    query: 'sea otter tools',
    api: 'searxng',
    results: [{ title: 'Sea otter - Wikipedia', url: 'https://en.wikipedia.org/wiki/Sea_otter', snippet: 'The sea otter is a marine mammal & a tool user.' }],
  });

  const braveKernel = await openTestKernel({
    config: {
      components: {
        'tool/web-search': { capabilities: { http: grant() }, settings: { api: 'brave', url: `http://127.0.0.1:${brave.port}/res/v1/web/search` } },
      },
    },
  });
  t.after(braveKernel.cleanup);
  await deploy(braveKernel.kernel, 'web-search');
  const noKey = await refusal(call(braveKernel.kernel, 'web-search', { query: 'otters' }));
  assert.match(noKey.message, /no Brave Search key: store one with `titan secrets set BRAVE_API_KEY`/);
  assert.equal(tokens.length, 0, 'nothing is sent without the key');
  await braveKernel.kernel.secrets.set('BRAVE_API_KEY', 'BSA-test-key-123');
  const results = await call(braveKernel.kernel, 'web-search', { query: 'otters' });
  assert.deepEqual(tokens, ['BSA-test-key-123']);
  assert.deepEqual(results.results, [
    { title: 'Sea Otter Facts', url: 'https://oceana.org/marine-life/sea-otter/', snippet: 'Sea otters use tools to eat. Your key: [REDACTED]' },
  ]);
});
