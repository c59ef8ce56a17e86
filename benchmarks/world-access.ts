// World access: what titan:host/http adds to a request, what the leak guard costs, and what the
// web page extraction costs on the host. (1) One GET to a loopback server: a bare Node fetch,
// the host's exchange alone (grant check, DNS-free address check, pinned connect, no component),
// and a component's call through the kernel (JSPI suspend, the exchange, bytes back into the
// guest); overhead = component p50/p99 minus bare fetch. (2) 1000 component requests, 100 at once.
// (3) The leak guard per KB of output with 5 stored secrets. (4) Readability + Markdown of a
// ~100 KB article on the host. Run alone: node benchmarks/world-access.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { LeakGuard } from '../common/leak-guard.ts';
import { http as httpHost } from '../host-api/http.ts';
import { readable } from '../host-api/html.ts';
import type { HostServices, InstanceContext } from '../host-api/index.ts';
import { publishComponent } from '../kernel/api.ts';
import { buildComponent } from '../toolchain/build.ts';
import { openBenchKernel, printMachine } from './setup.ts';
import { printTable, row, summarize, writeResult, type Summary } from './stats.ts';

const RUNS = 300;
const WARMUP = 30;
const CONCURRENT = 100;
const TOTAL = 1000;
const CLIENT_DIR = fileURLToPath(new URL('../test/fixtures/components/http-client/', import.meta.url));
const HTML_TEXT_DIR = fileURLToPath(new URL('./guest/html-text/', import.meta.url));
type HtmlToText = (html: string) => { text: string; links: unknown[] };

printMachine();
const server = createServer((_req, res) => res.end('{"ok":true}'));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
const grant = { allow: [{ host: '127.0.0.1', schemes: ['http'], methods: ['GET', 'POST'], private: true }] };

async function timed(n: number, once: () => Promise<unknown>): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + n; i++) {
    const started = performance.now();
    await once();
    if (i >= WARMUP) samples.push(performance.now() - started);
  }
  return summarize(samples);
}

async function throughput(once: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      while (next++ < TOTAL) await once();
    }),
  );
  return TOTAL / ((performance.now() - started) / 1000);
}

const bench = await openBenchKernel();
try {
  const { kernel } = bench;
  const built = await buildComponent(CLIENT_DIR, { cacheDir: kernel.paths.cache });
  await kernel.deployManifest(await publishComponent(kernel, { ...built, manifest: { ...built.manifest, capabilities: { log: {}, http: grant } } }));
  const input = JSON.stringify({ url });
  const viaComponent = () => kernel.call('tool', 'http-client', 'invoke', [input]);
  const context: InstanceContext = {
    component: { kind: 'tool', name: 'bench', version: '0', digest: '' },
    grant,
    services: {} as HostServices,
    callId: undefined,
  };
  const host = httpHost.bind(context, '0.2.0') as unknown as { fetch(r: unknown): Promise<unknown> };
  const viaHost = () => host.fetch({ method: 'GET', url, headers: [], body: new Uint8Array(0) });
  const bare = async () => (await fetch(url)).text();

  const latency = { bareFetch: await timed(RUNS, bare), hostExchange: await timed(RUNS, viaHost), component: await timed(RUNS, viaComponent) };
  const rates = { bareFetch: await throughput(bare), component: await throughput(viaComponent) };
  const overhead = { p50: latency.component.p50 - latency.bareFetch.p50, p99: latency.component.p99 - latency.bareFetch.p99 };
  printTable(
    `one GET to a loopback server, ${RUNS} runs after ${WARMUP} warm-up (ms)`,
    ['path', 'p50', 'p99', 'min', 'max'],
    [
      ['bare Node fetch (keep-alive)', latency.bareFetch.p50, latency.bareFetch.p99, latency.bareFetch.min, latency.bareFetch.max],
      ['host exchange alone (kept connection)', latency.hostExchange.p50, latency.hostExchange.p99, latency.hostExchange.min, latency.hostExchange.max],
      ['component via titan:host/http', latency.component.p50, latency.component.p99, latency.component.min, latency.component.max],
      ['overhead: component - bare fetch', overhead.p50, overhead.p99, '', ''],
    ],
  );
  printTable(
    `throughput: ${TOTAL} requests, ${CONCURRENT} at once (requests/s)`,
    ['path', 'req/s'],
    [
      ['bare Node fetch', Math.round(rates.bareFetch)],
      ['component via titan:host/http', Math.round(rates.component)],
    ],
  );

  // The leak guard: 5 stored secrets, text with no hit (the common case) and with one key per KB.
  const guard = new LeakGuard(() => ['stored-value-one-123', 'stored-value-two-456', 'another-secret-789', 'xyz-secret-000000', 'last-secret-abcdef']);
  const prose = 'The quick brown fox jumps over the lazy dog; tools print ordinary output lines here. '.repeat(2000);
  const leaky = Array.from({ length: 200 }, (_, i) => `${'line of output '.repeat(60)} key AKIAIOSFODNN7EXAMPL${i % 10}\n`).join('');
  const guardCost: Record<string, number> = {};
  for (const [name, text] of [
    ['clean', prose],
    ['one key per KB', leaky],
  ] as const) {
    for (let i = 0; i < 20; i++) guard.scan(text);
    const rounds = 200;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) guard.scan(text);
    guardCost[name] = ((performance.now() - started) * 1000) / rounds / (text.length / 1024);
  }
  printTable(
    'leak guard (5 stored secrets + 8 key formats), microseconds per KB of output',
    ['text', 'us/KB'],
    Object.entries(guardCost).map(([k, v]) => [k, v]),
  );

  // Web page extraction on the host: a ~100 KB article page.
  const paragraphs = Array.from(
    { length: 700 },
    (_, i) =>
      `<p>Paragraph ${i} of the article, with <a href="/link/${i}">a link</a> and enough words to look like prose that a reader would read through.</p>`,
  ).join('\n');
  const page = `<!doctype html><html><head><title>Bench page</title><script>var x = 1;</script></head><body><nav>${'<a href="/n">nav</a> '.repeat(50)}</nav><article><h1>Heading</h1>${paragraphs}</article><footer>footer</footer></body></html>`;
  for (let i = 0; i < 5; i++) readable(page, 'https://example.com/a');
  const extraction = await timed(30, async () => readable(page, 'https://example.com/a'));
  // Would extraction in the guest do? The same plain-JS HTML-to-text pass natively and in QuickJS
  // (a DOM and Readability cannot be bundled into a component; this measures the JS speed gap).
  const textBuilt = await buildComponent(HTML_TEXT_DIR, { cacheDir: kernel.paths.cache });
  await kernel.deployManifest(await publishComponent(kernel, textBuilt));
  const htmlToText = ((await import(new URL('./guest/html-text/text.js', import.meta.url).href)) as { htmlToText: HtmlToText }).htmlToText;
  const nativeText = await timed(30, async () => htmlToText(page));
  const guestText = await timed(30, () => kernel.call('tool', 'html-text', 'invoke', [page]));
  printTable(
    `page extraction of a ${Math.round(page.length / 1024)} KB page (ms)`,
    ['path', 'p50', 'p99'],
    [
      ['host: linkedom + Readability + Turndown', extraction.p50, extraction.p99],
      ['plain-JS HTML to text, native', nativeText.p50, nativeText.p99],
      ['the same in a QuickJS component', guestText.p50, guestText.p99],
    ],
  );

  const summary = [
    row('http import overhead p50 (component - bare fetch)', overhead.p50, 'ms'),
    row('http import overhead p99 (component - bare fetch)', overhead.p99, 'ms'),
    row(`component http throughput, ${CONCURRENT} concurrent`, rates.component, 'req/s'),
    row(`bare fetch throughput, ${CONCURRENT} concurrent`, rates.bareFetch, 'req/s'),
    row('leak guard, clean text', guardCost.clean, 'us/KB'),
    row('leak guard, one key per KB', guardCost['one key per KB'], 'us/KB'),
    row('page extraction p50 (100 KB page, host Readability)', extraction.p50, 'ms'),
    row('HTML to text p50, QuickJS / native', guestText.p50 / nativeText.p50, 'x'),
  ];
  console.log(
    `results: ${await writeResult('world-access', summary, { runs: RUNS, warmup: WARMUP, latency, rates, overhead, guardCost, extraction, nativeText, guestText, pageBytes: page.length })}`,
  );
} finally {
  await bench.close();
  server.close();
}
