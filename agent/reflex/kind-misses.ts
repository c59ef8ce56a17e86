// The guard's near misses of a value's kind: a source prompt with one value swapped for a value
// of another closed kind, written as the source value was ("price of XAU" where a stock was
// learned from "price of AAPL", "recipe for dinner" from "recipe for lasagna", "population of
// Europe" from "population of Chile"). A reflex must leave them to the model: it learned values
// of one kind (value-kinds.js). A slot whose source values were of several kinds gets none.
import { shapeOf } from '../../components/reflexes/runtime.js';
import { kindOf, slotKinds } from '../../components/reflexes/value-kinds.js';

/** Values of each closed kind, in the shapes a slot's values are written in (shapeOf). */
const SAMPLES = [
  'litecoin',
  'Litecoin',
  'LTC',
  'XAU',
  'SEK',
  'Christmas',
  'christmas',
  'dinner',
  'Dinner',
  'two',
  'Peru',
  'Europe',
  'friday',
  'Friday',
  'Celsius',
  'Mars',
  'first',
  'yourself',
  'kids',
  'notes.txt',
];

type Example = { prompt: string; slots: Record<string, string> };

/** Up to `limit` prompts of the first example with one value of another kind each. */
export function otherKindMisses(examples: Example[], limit = 6): string[] {
  const [first] = examples;
  if (!first) return [];
  const names = Object.keys(first.slots).filter((n) => typeof first.slots[n] === 'string');
  const kinds = slotKinds({ slots: names, examples });
  const out: string[] = [];
  for (const name of names) {
    const value = first.slots[name];
    const kind = kinds.get(name);
    const at = first.prompt.indexOf(value);
    if (kind === 'any' || at < 0 || value.length === 0) continue;
    const seen = new Set(examples.map((e) => String(e.slots[name]).toLowerCase()));
    for (const sample of SAMPLES) {
      if (out.length >= limit) return out;
      if (shapeOf(sample) !== shapeOf(value) || kindOf(sample) === kind || seen.has(sample.toLowerCase())) continue;
      out.push(first.prompt.slice(0, at) + sample + first.prompt.slice(at + value.length));
    }
  }
  return out;
}
