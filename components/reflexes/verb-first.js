// A noun of the phrasings that is also the verb of another act, said first and straight before
// the value: "phone Mia now" calls her, where "Mia phone" and "phone of Mia" ask for her number.
// Part of the reflex runtime (runtime.js), inlined with it into every generated reflex.
import { OPENING } from './question-shape.js';

/** Nouns of reaching someone that are also the verb of doing it. */
const REACHING = ['phone', 'telephone', 'ring', 'call', 'dial', 'text', 'sms', 'message', 'email', 'mail', 'ping', 'page', 'fax', 'contact'];
/** Words a request may open with that say nothing, and the asking of it ("can you", "could u"). */
const OPENS = [...OPENING, 'can', 'could', 'would', 'you', 'u'];

/**
 * The value at toks[start..] follows, as its object, a noun of reaching someone typed alone
 * ("phone number Mia" is a noun) that opens the request ("phone Mia now", "pls text Omar"), where
 * no phrasing had that word right before the value: a command to call or write to them, not a
 * question about them.
 */
export function reachedFirst(spec, name, toks, start, prompt) {
  const at = toks.findIndex((t) => !OPENS.includes(t.w));
  if (at < 0 || at !== start - 1 || !REACHING.includes(toks[at].w)) return false;
  if (prompt.slice(toks[at].start, toks[at].end).toLowerCase() !== toks[at].w) return false;
  return !spec.templates.some((t) => t.some((w, i) => w === toks[at].w && t[i + 1] === `{${name}}`));
}
