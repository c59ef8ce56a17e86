// What the web tools share: a GET through titan:host/http read to its end (the host follows and
// checks redirects, and answers the URL that finally answered), bytes joined without copying
// twice, and a host error turned into the tool-error variant.
import { start, finish, read, close } from 'titan:host/http@0.2.0';

/** The http-error cases that mean the input asked for something not allowed or malformed. */
const INPUT_CASES = ['denied', 'invalid'];

export function httpError(e) {
  const p = e?.payload;
  if (p?.tag) return { tag: INPUT_CASES.includes(p.tag) ? 'invalid-input' : 'failed', val: p.val };
  return { tag: 'failed', val: String(p !== undefined ? p : e) };
}

function join(chunks, total) {
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** GETs `url`; answers {status, url (after redirects), headers, body: Uint8Array}. */
export function get(url, headers) {
  let handle;
  try {
    handle = start('GET', url, headers);
    const head = finish(handle);
    const chunks = [];
    let total = 0;
    for (;;) {
      const piece = read(handle, 262144);
      if (piece === null || piece === undefined) break;
      chunks.push(piece);
      total += piece.length;
    }
    handle = undefined;
    return { status: head.status, url: head.url, headers: head.headers, body: join(chunks, total) };
  } catch (e) {
    if (handle !== undefined) close(handle);
    throw httpError(e);
  }
}

export function header(headers, name) {
  for (const [key, value] of headers) if (key.toLowerCase() === name) return value;
  return undefined;
}
