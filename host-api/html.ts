// titan:host/html: a web page's readable part, extracted on the host: linkedom parses the HTML,
// Mozilla's Readability finds the article (falling back to the whole body), Turndown writes it as
// Markdown, and the article's links come back resolved against the page's URL. On the host because
// these libraries are npm packages a component cannot bundle, and a DOM in QuickJS would be far
// slower than native (see the web-fetch benchmark). Synchronous: no I/O.
import { createRequire } from 'node:module';
import { vendoredFile } from '../common/vendored.ts';
import type { HostInterface } from './types.ts';

const DEFAULT_MAX_INPUT = 5 * 1024 * 1024;
const MAX_LINKS = 200;

export type ReadablePage = { title: string; markdown: string; links: Array<{ text: string; href: string }> };

// The three libraries (about 250 modules) load on the first page read, not with the kernel: a CLI
// command or a start that reads no page never pays for them. Synchronous, as the interface is.
const load = createRequire(import.meta.url);
let libraries:
  | { Readability: typeof import('@mozilla/readability').Readability; parseHTML: typeof import('linkedom').parseHTML; turndown: import('turndown') }
  | undefined;

function loadLibraries(): NonNullable<typeof libraries> {
  if (libraries) return libraries;
  // Turndown's browser build: it converts the nodes linkedom parsed, so it never needs the DOM
  // (domino, 9 MB) its Node build loads; an installed Titan carries it as a file (common/vendored.ts).
  const TurndownService = load(vendoredFile('turndown.cjs')) as typeof import('turndown');
  const turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
  turndown.remove(['script', 'style', 'noscript', 'iframe', 'form']);
  const { Readability } = load('@mozilla/readability') as typeof import('@mozilla/readability');
  const { parseHTML } = load('linkedom') as typeof import('linkedom');
  libraries = { Readability, parseHTML, turndown };
  return libraries;
}

export function readable(html: string, url: string): ReadablePage {
  const { Readability, parseHTML, turndown } = loadLibraries();
  const { document } = parseHTML(html);
  const title = (document.querySelector('title')?.textContent ?? '').trim();
  // Readability changes the document it reads: links are taken from its article, which it returns as HTML.
  let article: { title?: string | null; content?: string | null } | null = null;
  try {
    article = new Readability(document as unknown as Document, { charThreshold: 200 }).parse();
  } catch {
    article = null;
  }
  const content = article?.content || parseHTML(html).document.body?.innerHTML || '';
  const { document: part } = parseHTML(`<!doctype html><html><body>${content}</body></html>`);
  const links: ReadablePage['links'] = [];
  const seen = new Set<string>();
  for (const a of Array.from(part.querySelectorAll('a[href]'))) {
    let href: string;
    try {
      href = new URL(a.getAttribute('href') ?? '', url).href;
    } catch {
      continue;
    }
    if (!/^https?:/.test(href) || seen.has(href)) continue;
    seen.add(href);
    a.setAttribute('href', href);
    links.push({ text: (a.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 200), href });
    if (links.length >= MAX_LINKS) break;
  }
  // linkedom keeps each decoded entity as a text node of its own; joined, Turndown escapes as it would
  // for the same text parsed whole (a lone text node "<" or ">" would start a line and be escaped).
  part.body?.normalize();
  const markdown = (part.body ? turndown.turndown(part.body as unknown as import('turndown').Node) : '').trim();
  return { title: (article?.title || title).trim(), markdown, links };
}

export const html: HostInterface = {
  name: 'html',
  versions: ['0.2.0'],
  asyncFunctions: [],
  grantSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { maxInputBytes: { type: 'integer', minimum: 1, maximum: 64 * 1024 * 1024 } },
  },
  bind(context) {
    const max = (context.grant as { maxInputBytes?: number }).maxInputBytes ?? DEFAULT_MAX_INPUT;
    return {
      readable: (bytes: Uint8Array, url: string) => {
        // jco lowers a thrown value's `payload` into the result's err case.
        if (bytes.byteLength > max) throw { payload: `TITAN_E_HTTP_TOO_LARGE: the page is ${bytes.byteLength} bytes; the grant reads at most ${max}` };
        try {
          return readable(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), url);
        } catch (error) {
          throw { payload: `TITAN_E_HTTP_INVALID: the page could not be read as HTML: ${(error as Error).message}` };
        }
      },
    };
  },
};
