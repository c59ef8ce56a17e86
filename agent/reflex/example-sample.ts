// Which source turns a reflex keeps as its examples: at most MAX_EXAMPLES, chosen so every form the
// slots' values took is still there. A reflex checks each example on every build (its smoke test runs
// them all within its 250 ms limit) and its match reads them on every request: with every turn of a
// busy pattern as an example, 64 took a smoke test of 2.5 s and 256 a match of 134 ms (load 12), so
// the build failed however often it ran. Its provenance keeps every turn: the guard replays them all.
export const MAX_EXAMPLES = 16;

/** A value's runs of capitals, small letters and digits as A, a and 9 (the runtime's code skeleton, components/reflexes/variants.js). */
const skeleton = (text: string) =>
  text
    .replace(/\p{Lu}+/gu, 'A')
    .replace(/\p{Ll}+/gu, 'a')
    .replace(/\d+/g, '9');

export type ExampleSource = { template: string; slots: Record<string, string>; flags?: Record<string, boolean> };

/**
 * The examples to keep, in their order: per form (phrasing, the skeleton of each slot's value, the
 * flags) the shortest and the longest value first (what a code's shape and length are checked
 * against), then the others, up to `max`.
 */
export function sampleExamples<T extends ExampleSource>(members: T[], max = MAX_EXAMPLES): T[] {
  if (members.length <= max) return members;
  const forms = new Map<string, T[]>();
  for (const m of members) {
    const form = JSON.stringify([m.template, Object.entries(m.slots).map(([k, v]) => [k, skeleton(v)]), m.flags ?? {}]);
    forms.set(form, [...(forms.get(form) ?? []), m]);
  }
  const size = (m: T) => Object.values(m.slots).reduce((sum, v) => sum + v.length, 0);
  const chosen = new Set<T>();
  for (const group of forms.values()) {
    const bySize = [...group].sort((a, b) => size(a) - size(b));
    for (const m of [bySize[0], bySize.at(-1)]) if (m && chosen.size < max) chosen.add(m);
  }
  for (const m of members) if (chosen.size < max) chosen.add(m);
  return members.filter((m) => chosen.has(m));
}
