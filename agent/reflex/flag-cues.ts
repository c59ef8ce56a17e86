// Yes-or-no tool arguments in mining: a boolean that varies between the turns of one plan is a
// flag whose value the request's wording says. Its cue is the words every phrasing of one value
// had and no phrasing of the other ("including archived" / nothing, "on" / "off"); a flag no word
// tells apart is refused. A flag that has one value in all of a pattern's turns is a constant.
import { CONTRAST, FILLERS, words, type FlagCue, type SlotSource } from '../../components/reflexes/runtime.js';

type Flagged = { flags: Map<string, boolean>; omittedFlags?: Set<string>; skeleton: string[] };

/**
 * Words a person adds without meaning anything by them, and verbs of asking to see ("list my
 * notes" for one value and "show my notes" for the other is chance, not a cue): never a cue.
 */
const PLAIN = new Set([
  ...FILLERS.filter((w) => !CONTRAST.includes(w)),
  ...['show', 'list', 'display', 'give', 'get', 'fetch', 'see', 'view', 'check', 'look', 'find', 'read', 'open', 'tell', 'pull', 'bring'],
]);

/** The flags that have one value in every turn, with that value. */
export function fixedFlags(turns: Flagged[]): Map<string, boolean> {
  const fixed = new Map<string, boolean>();
  for (const [name, value] of turns[0]?.flags ?? []) if (turns.every((t) => t.flags.get(name) === value)) fixed.set(name, value);
  return fixed;
}

/** The turn has the fixed flags' values. */
export function hasFlags(turn: Flagged, fixed: Map<string, boolean>): boolean {
  return [...fixed].every(([name, value]) => turn.flags.get(name) === value);
}

/** The cues of the flags that vary among the turns, or why one cannot be read from the wording. */
export function flagCues(turns: Flagged[], fixed: Map<string, boolean>): Record<string, FlagCue> | string {
  const cues: Record<string, FlagCue> = {};
  const literals = (t: Flagged) => new Set(t.skeleton.filter((w) => !w.startsWith('{') && !PLAIN.has(w)));
  for (const name of turns[0]?.flags.keys() ?? []) {
    if (fixed.has(name)) continue;
    const of = (value: boolean) => turns.filter((t) => t.flags.get(name) === value).map(literals);
    const [yes, no] = [of(true), of(false)];
    const said = (mine: Set<string>[], theirs: Set<string>[]) =>
      [...mine[0]].filter((w) => mine.every((s) => s.has(w)) && !theirs.some((s) => s.has(w))).sort();
    const cue = { yes: said(yes, no), no: said(no, yes) };
    if (cue.yes.length === 0 && cue.no.length === 0) return `no word of the requests says whether ${name} is true or false`;
    cues[name] = cue;
  }
  return cues;
}

/** The flags every turn where they were false said so by leaving them out of the call. */
export function omittedFlags(turns: Flagged[]): Set<string> {
  const names = new Set(turns.flatMap((t) => [...t.flags.keys()]));
  return new Set([...names].filter((name) => turns.every((t) => t.flags.get(name) !== false || t.omittedFlags?.has(name))));
}

/**
 * The calls with the fixed flags written as their constant value, and a flag the turns left out
 * when false left out the same way (a tool's default may differ from an explicit false).
 */
export function fixFlags(calls: Array<{ tool: string; args: Record<string, SlotSource> }>, fixed: Map<string, boolean>, omitted = new Set<string>()) {
  return calls.map((c) => ({
    tool: c.tool,
    args: Object.fromEntries(
      Object.entries(c.args).flatMap(([k, s]): Array<[string, SlotSource]> => {
        if (!('flag' in s)) return [[k, s]];
        const left = omitted.has(s.flag);
        if (fixed.has(s.flag)) return fixed.get(s.flag) === false && left ? [] : [[k, { value: fixed.get(s.flag) }]];
        return [[k, left ? { flag: s.flag, omitWhenFalse: true } : { flag: s.flag }]];
      }),
    ),
  }));
}

/**
 * A prompt with one flag turned: its cue taken away where the other value has none ("show my
 * notes including archived ones" -> "show my notes"), or its one cue word swapped for the other's
 * ("on" -> "off"). undefined where the other value cannot be said by editing the prompt.
 */
export function turnFlag(prompt: string, value: boolean, cue: FlagCue, keep: Array<{ start: number; end: number }>): string | undefined {
  const [own, other] = value ? [cue.yes, cue.no] : [cue.no, cue.yes];
  const toks = words(prompt).filter((t) => own.includes(t.w));
  if (own.length === 0 || toks.length === 0) return undefined;
  const span = { start: Math.min(...toks.map((t) => t.start)), end: Math.max(...toks.map((t) => t.end)) };
  if (keep.some((k) => k.start < span.end && span.start < k.end)) return undefined;
  const edit = (by: string) =>
    (prompt.slice(0, span.start) + by + prompt.slice(span.end))
      .replace(/\s+/g, ' ')
      .replace(/\s+([,?.!])/g, '$1')
      .trim();
  if (other.length === 0) return edit('');
  if (own.length === 1 && other.length === 1 && toks.length === 1) return edit(other[0]);
  return undefined;
}
