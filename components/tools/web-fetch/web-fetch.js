// web-fetch: a URL to readable text. An HTML page goes to the host's extractor (titan:host/html:
// Readability, then Markdown, with its title and links); text, JSON and XML come back as they
// are. Any public http(s) host; private addresses are refused by the host unless the owner grants
// one by name. The answer is cut at maxChars (the page itself at the grant's 5 MiB).
// It runs in a worker thread: extracting a large page takes the host a few hundred milliseconds,
// which must not stall the kernel's event loop.
import { readable } from 'titan:host/html@0.2.0';
import { decodeUtf8 } from '../../channels/lib/utf8.js';
import { parseObject } from '../lib/input.js';
import { get, header } from '../lib/web.js';

const DEFAULT_MAX_CHARS = 20000;
const MAX_CHARS = 200000;
const MAX_LINKS = 50;

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', description: 'An absolute http(s) URL.' },
    maxChars: { type: 'integer', minimum: 100, maximum: MAX_CHARS, description: `Cut the content after this many characters (default ${DEFAULT_MAX_CHARS}).` },
  },
};

function parse(input) {
  const args = parseObject(input, schema, '{"url": string, "maxChars"?: integer}');
  if (typeof args.url !== 'string' || !/^https?:\/\/[^\s]+$/i.test(args.url)) throw { tag: 'invalid-input', val: '"url" must be an absolute http(s) URL' };
  const maxChars = args.maxChars ?? DEFAULT_MAX_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < 100 || maxChars > MAX_CHARS)
    throw { tag: 'invalid-input', val: `"maxChars" must be an integer from 100 to ${MAX_CHARS}` };
  return { url: args.url, maxChars };
}

const TEXTUAL = /^(text\/|application\/(json|xml|xhtml\+xml|rss\+xml|atom\+xml|javascript|ld\+json))/i;

/** @type {typeof import('titan:tool/tool@0.2.0')} */
export const tool = {
  describe() {
    return {
      name: 'web-fetch',
      description:
        'Fetches a web page (http or https) and returns its readable content as Markdown, with its title and links. Plain text, JSON and XML are returned as they are.',
      inputSchema: JSON.stringify(schema),
      needsApproval: false,
    };
  },
  invoke(input) {
    const args = parse(input);
    const response = get(args.url, [
      ['accept', 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5'],
      ['user-agent', 'Titan-web-fetch/1.0'],
    ]);
    const type = (header(response.headers, 'content-type') || '').split(';')[0].trim().toLowerCase();
    let page;
    if (type === 'text/html' || type === 'application/xhtml+xml' || (type === '' && response.body.length > 0 && response.body[0] === 0x3c)) {
      try {
        page = readable(response.body, response.url);
      } catch (e) {
        throw { tag: 'failed', val: String(e && e.payload !== undefined ? e.payload : e) };
      }
    } else if (TEXTUAL.test(type)) {
      page = { title: '', markdown: decodeUtf8(response.body), links: [] };
    } else {
      throw { tag: 'failed', val: `${response.url} answered ${type || 'an unknown type'} (${response.body.length} bytes), which is not text` };
    }
    const truncated = page.markdown.length > args.maxChars;
    return JSON.stringify({
      url: response.url,
      status: response.status,
      contentType: type,
      title: page.title,
      content: truncated ? page.markdown.slice(0, args.maxChars) : page.markdown,
      truncated,
      links: page.links.slice(0, MAX_LINKS).map((l) => ({ text: l.text, url: l.href })),
    });
  },
  /** Checks the input rules without touching the network. */
  smoke() {
    for (const input of [
      '',
      '{}',
      '{"url":"file:///etc/passwd"}',
      '{"url":"notaurl"}',
      '{"url":"https://a.example","maxChars":1}',
      '{"url":"https://a.example","x":1}',
    ]) {
      let tag;
      try {
        parse(input);
      } catch (e) {
        tag = e.tag;
      }
      if (tag !== 'invalid-input') throw 'input ' + JSON.stringify(input) + ' was not refused';
    }
    if (parse('{"url":"https://a.example/"}').maxChars !== DEFAULT_MAX_CHARS) throw 'the default size is wrong';
  },
};
