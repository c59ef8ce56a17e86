// Types of runtime.js for the host side (the miner, the guard and the tests import it directly).
/**
 * A slot fills a tool argument as text, as a number, or as one of the values the tool's schema
 * allows (`schema`: the JSON schema type of a number argument, where the tool's schema gives one: an integer
 * takes no decimal part); a flag fills a yes-or-no argument from the request's wording (ReflexSpec.flags), left out
 * when false where the source turns left it out.
 */
export type SlotSource =
  | { slot: string; form: SlotForm; type?: 'number'; schema?: 'integer' | 'number'; oneOf?: string[] | number[] }
  | { flag: string; omitWhenFalse?: true }
  | { value: unknown };
/** The words that say a flag: every phrasing of true had `yes` and none `no`, and the other way round. */
export type FlagCue = { yes: string[]; no: string[] };
export type SlotForm = 'same' | 'lower' | 'upper' | 'title';
export type ResultPath = Array<string | number>;
/** Inside a list item: literal text, a slot, or a field of the item. */
export type ItemPart = { text: string } | { slot: string; form: SlotForm } | { field: ResultPath };
/**
 * Literal text (the same in every source turn), a slot, a tool-result field, the length of a
 * result list, or a whole result list (every item; `seen` the lengths its source turns showed,
 * `sep` between items and `last` before the last, when seen).
 */
export type AnswerPart =
  | { text: string }
  | { slot: string; form: SlotForm }
  | { call: number; path: ResultPath }
  | { count: { call: number; path: ResultPath } }
  | { list: { call: number; path: ResultPath }; item: ItemPart[]; sep?: string; last?: string; seen: number[] };
export type ReflexSpec = {
  name: string;
  description: string;
  slots: string[];
  /** Each phrasing seen, as lower-cased words with "{slot}" markers. */
  templates: string[][];
  core: string[];
  vocab: string[];
  maxSlotWords: number;
  /** The most words a source turn's slot value had (a span may have one more only if capitalised). */
  seenSlotWords?: number;
  /** How each slot's values were written in the source turns (shapeOf): another shape is no value of it. */
  slotShapes?: Record<string, string[]>;
  /** Words no phrasing used, each read as the phrasing's word of the same sense ("bill": "invoice"). */
  senses?: Record<string, string>;
  /** Yes-or-no arguments and the words that say them. */
  flags?: Record<string, FlagCue>;
  calls: Array<{ tool: string; args: Record<string, SlotSource> }>;
  answer: AnswerPart[];
  examples: Array<{ prompt: string; slots: Record<string, string>; flags?: Record<string, boolean> }>;
  provenance: { turns: string[]; key: string };
};
export type MatchResult = { confidence: number; slotsJson: string };
export type ReflexExport = {
  describe(): { name: string; description: string; configSchema: string };
  match(prompt: string): MatchResult | null;
  execute(slotsJson: string): string;
  smoke(): void;
};
export const FILLERS: string[];
export const CONTRAST: string[];
export function words(text: string): Array<{ w: string; start: number; end: number }>;
export function shapeOf(text: string): 'number' | 'upper' | 'title' | 'lower' | 'mixed';
export function render(parts: AnswerPart[], slots: Record<string, string>, results: unknown[]): string;
/** A spec's templates, vocabulary and core words in the lexicon's canonical reading. */
export function readSpec(spec: ReflexSpec): ReflexSpec;
/** The words a prompt must hold for the spec to match it. */
export function requiredWords(spec: ReflexSpec): string[];
export function createReflex(spec: ReflexSpec, invoke: (name: string, input: string) => string): ReflexExport;
/** execute as the component does it, on the host, with tools reached asynchronously; throws a reason as text. */
export function executeOnHost(spec: ReflexSpec, slotsJson: string, invoke: (name: string, input: string) => Promise<string>): Promise<string>;
