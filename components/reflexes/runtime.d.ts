// Types of runtime.js for the host side (the miner, the guard and the tests import it directly).
export type SlotSource = { slot: string; form: SlotForm } | { value: unknown };
export type SlotForm = 'same' | 'lower' | 'upper' | 'title';
export type AnswerPart = { text: string } | { slot: string; form: SlotForm } | { call: number; path: Array<string | number> };
export type ReflexSpec = {
  name: string;
  description: string;
  slots: string[];
  /** Each phrasing seen, as lower-cased words with "{slot}" markers. */
  templates: string[][];
  core: string[];
  vocab: string[];
  maxSlotWords: number;
  calls: Array<{ tool: string; args: Record<string, SlotSource> }>;
  answer: AnswerPart[];
  examples: Array<{ prompt: string; slots: Record<string, string> }>;
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
export function createReflex(spec: ReflexSpec, invoke: (name: string, input: string) => string): ReflexExport;
