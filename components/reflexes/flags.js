// Yes-or-no tool arguments read from a request's wording: the miner keeps, for each, the words
// every phrasing of one value had and no phrasing of the other ("including archived" for true,
// nothing for false, or "on" / "off"); a request says true when it has all of the true words
// and none of the false ones (or the other way round). Some but not all of them, or both, is
// unsure: the reflex does not match and the model answers. Part of the reflex runtime.
import { words } from './words.js';

/** true, false, or undefined (unsure) from the words of a request. */
export function flagValue(cue, ws) {
  const all = (list) => list.length > 0 && list.every((w) => ws.includes(w));
  const any = (list) => list.some((w) => ws.includes(w));
  const yes = cue.no.length === 0 ? all(cue.yes) : cue.yes.length === 0 ? !any(cue.no) : all(cue.yes) && !any(cue.no);
  const no = cue.yes.length === 0 ? all(cue.no) : cue.no.length === 0 ? !any(cue.yes) : all(cue.no) && !any(cue.yes);
  return yes === no ? undefined : yes;
}

/**
 * The flags of a match: each read from the prompt's words outside its slot values, and the same
 * as the matched phrasing's own words say (a phrasing of "true" never answers a request read as
 * "false"). null when one is unsure.
 */
export function readFlags(spec, toks, slots, template) {
  const cues = Object.entries(spec.flags ?? {});
  if (cues.length === 0) return {};
  const ws = toks.map((t) => t.w);
  // A value's own words say nothing about a flag (a note called "archived").
  for (const value of Object.values(slots)) {
    for (const { w } of words(String(value))) {
      const at = ws.indexOf(w);
      if (at >= 0) ws.splice(at, 1);
    }
  }
  const own = template?.filter((w) => !(w.startsWith('{') && w.endsWith('}')));
  const out = {};
  for (const [name, cue] of cues) {
    const value = flagValue(cue, ws);
    if (value === undefined || (own && flagValue(cue, own) !== value)) return null;
    out[name] = value;
  }
  return out;
}
