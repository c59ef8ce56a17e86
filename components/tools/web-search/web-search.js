// web-search: a query to a list of results (title, URL, snippet) from a configured search API.
// Two wire formats: Brave Search's web search API (the default; its key is the stored secret
// BRAVE_API_KEY, which the host places in the X-Subscription-Token header - this component never
// sees it) and SearXNG's JSON API (format=json). Which one, and where, comes from the owner's
// settings in config.json ("components": {"tool/web-search": {"settings": {"api": "searxng",
// "url": "http://127.0.0.1:8888"}, "capabilities": {"http": {...that host...}}}}).
import { get as kvGet } from 'titan:host/kv@0.2.0';
import { has } from 'titan:host/secrets@0.2.0';
import { decodeUtf8 } from '../../channels/lib/utf8.js';
import { parseObject } from '../lib/input.js';
import { get } from '../lib/web.js';

const BRAVE_URL = 'https://api.search.brave.com/res/v1/web/search';
const DEFAULT_COUNT = 5;
const MAX_COUNT = 20;

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['query'],
  properties: {
    query: { type: 'string', minLength: 1, maxLength: 400, description: 'What to search the web for.' },
    count: { type: 'integer', minimum: 1, maximum: MAX_COUNT, description: `How many results (default ${DEFAULT_COUNT}).` },
  },
};

function parse(input) {
  const args = parseObject(input, schema, '{"query": string, "count"?: integer}');
  if (typeof args.query !== 'string' || args.query.trim() === '' || args.query.length > 400)
    throw { tag: 'invalid-input', val: '"query" must be a non-empty string of at most 400 characters' };
  const count = args.count ?? DEFAULT_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) throw { tag: 'invalid-input', val: `"count" must be an integer from 1 to ${MAX_COUNT}` };
  return { query: args.query.trim(), count };
}

function settings() {
  const text = kvGet('settings');
  const given = text ? JSON.parse(text) : {};
  const api = given.api || 'brave';
  if (api !== 'brave' && api !== 'searxng') throw { tag: 'failed', val: `settings.api "${api}" is not one of brave, searxng` };
  if (api === 'searxng' && typeof given.url !== 'string') throw { tag: 'failed', val: 'settings.url (the SearXNG address) is missing' };
  return { api, url: String(given.url || BRAVE_URL).replace(/\/+$/, '') };
}

function json(response) {
  if (response.status === 401 || response.status === 403)
    throw { tag: 'failed', val: `the search API refused the key (HTTP ${response.status}): check it with \`titan secrets set BRAVE_API_KEY\`` };
  if (response.status === 429) throw { tag: 'failed', val: 'the search API is rate limited (HTTP 429): try again later' };
  if (response.status >= 400) throw { tag: 'failed', val: `the search API answered HTTP ${response.status}` };
  try {
    return JSON.parse(decodeUtf8(response.body));
  } catch (e) {
    throw { tag: 'failed', val: `the search API did not answer JSON: ${e.message}` };
  }
}

function brave(config, args) {
  if (!has('BRAVE_API_KEY'))
    throw { tag: 'failed', val: 'no Brave Search key: store one with `titan secrets set BRAVE_API_KEY` (or the Settings page), or configure SearXNG' };
  const url = `${config.url}?q=${encodeURIComponent(args.query)}&count=${args.count}`;
  const body = json(
    get(url, [
      ['accept', 'application/json'],
      ['x-subscription-token', '{{secret:BRAVE_API_KEY}}'],
    ]),
  );
  const results = body.web && Array.isArray(body.web.results) ? body.web.results : [];
  return results.map((r) => ({ title: String(r.title || ''), url: String(r.url || ''), snippet: String(r.description || '') }));
}

function searxng(config, args) {
  const body = json(get(`${config.url}/search?q=${encodeURIComponent(args.query)}&format=json`, [['accept', 'application/json']]));
  const results = Array.isArray(body.results) ? body.results : [];
  return results.map((r) => ({ title: String(r.title || ''), url: String(r.url || ''), snippet: String(r.content || '') }));
}

/** Strips the markup some engines leave in titles and snippets (<strong>, &amp;...). */
function plain(text) {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .trim();
}

/** @type {typeof import('titan:tool/tool@0.2.0')} */
export const tool = {
  describe() {
    return {
      name: 'web-search',
      description: 'Searches the web and returns the top results (title, URL, snippet). Use web-fetch to read a result.',
      inputSchema: JSON.stringify(schema),
      needsApproval: false,
    };
  },
  invoke(input) {
    const args = parse(input);
    const config = settings();
    const found = config.api === 'searxng' ? searxng(config, args) : brave(config, args);
    const results = found
      .filter((r) => /^https?:\/\//.test(r.url))
      .slice(0, args.count)
      .map((r) => ({ title: plain(r.title), url: r.url, snippet: plain(r.snippet) }));
    return JSON.stringify({ query: args.query, api: config.api, results });
  },
  /** Checks the input rules without touching the network. */
  smoke() {
    for (const input of ['', '{}', '{"query":""}', '{"query":"x","count":0}', '{"query":"x","count":21}', '{"query":"x","y":1}']) {
      let tag;
      try {
        parse(input);
      } catch (e) {
        tag = e.tag;
      }
      if (tag !== 'invalid-input') throw 'input ' + JSON.stringify(input) + ' was not refused';
    }
    if (parse('{"query":" cats "}').query !== 'cats') throw 'the query is not trimmed';
  },
};
