// A request's tools encoded once per instance: they are the same from one request to the next (they
// change when a tool is deployed), and writing them again was a third of a request's encoding. The
// host sends them first, so a request that starts with the text they were read from carries them,
// and only the rest of it is read. Bodies are written with JSON.stringify's own text and key order.
import { readRequest } from './request.js';

/**
 * A reader for one wire format: `encodeTools` maps the checked tools to the format's list.
 * @param {(tools: Array<{ name: string, description?: string, schema: object }>) => unknown[]} encodeTools
 * @returns {(requestJson: string) => { request: any, tools: string }} the request (checked) and its tools' JSON ('' for none)
 */
export function toolKeeper(encodeTools) {
  /** @type {{ prefix: string, json: string } | undefined} */
  let kept;
  return (requestJson) => {
    if (kept && requestJson.startsWith(kept.prefix)) {
      const request = readRequest(`{${requestJson.slice(kept.prefix.length)}`);
      // A second "tools" further on would be the one JSON.parse keeps: read the whole text then.
      if (request.tools.length === 0) return { request, tools: kept.json };
    }
    const request = readRequest(requestJson);
    if (request.tools.length === 0) return { request, tools: '' };
    const tools = JSON.stringify(encodeTools(request.tools));
    if (requestJson.startsWith('{"tools":')) {
      // Kept only when the tools are exactly what starts the text (spelt otherwise: no gain, no harm).
      const prefix = `{"tools":${JSON.stringify(request.tools)},`;
      kept = requestJson.startsWith(prefix) ? { prefix, json: tools } : undefined;
    }
    return { request, tools };
  };
}

/** The text JSON.stringify writes for `before`'s keys (or `before` itself, an object's JSON text),
 * then "tools" (when there are any), then `after`'s. */
export function bodyWithTools(before, tools, after) {
  const parts = [(typeof before === 'string' ? before : JSON.stringify(before)).slice(1, -1)];
  if (tools) parts.push(`"tools":${tools}`);
  parts.push(JSON.stringify(after).slice(1, -1));
  return `{${parts.filter((part) => part !== '').join(',')}}`;
}
