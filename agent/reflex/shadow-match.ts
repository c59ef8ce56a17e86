// Whether a request asks for what a shadow prediction precomputed, by meaning rather than by the
// same key words: the words that carry the request (not fillers or function words) are paired
// with the prediction's, each word left over on either side needing a partner of the same meaning
// on the other (cosine of their embeddings at or above the threshold: "forecast" for "weather"
// with provider embeddings, "notes" for "note" with the local ones). Some words must be the same
// word, whatever the embedder says: numbers, the values the precomputation passed to its tools
// ("Rome" is near "Paris" in any embedding, and an answer for one is wrong for the other), and the
// words that change an intent (negations, times, verbs that change things: "tomorrow", "delete").
import { CONTRAST, FILLERS, words } from '../../components/reflexes/runtime.js';
import { cosine, type Embedder, type Vector } from './embedder.ts';

/** Words that join others or shape the question, without changing what it asks for. */
const JOINING = ['in', 'on', 'at', 'of', 'for', 'to', 'by', 'with', 'from', 'about', 'and', 'or', 'so', 'then', 'do', 'does', 'did', 'be'];
const ASKING = ['how', 'i', 'it', 'its', 'this', 'that', 'there', 'like', "'s", 'right'];
const IGNORED = new Set([...FILLERS, ...JOINING, ...ASKING].filter((w) => !CONTRAST.includes(w)));
const EXACT = new Set(CONTRAST);

/** The words that carry a request, in order, each once. */
export function contentWords(text: string): string[] {
  return [...new Set(words(text).map((t) => t.w))].filter((w) => !IGNORED.has(w));
}

/** A prediction as the cache keeps it: its words, their embeddings, and the words that must be there as they are. */
export type PredictionKey = { words: string[]; vectors: Map<string, Vector>; exact: Set<string>; all: string };

/** The tool arguments' values that the prediction itself names (a city, a file, a number): each must be in the request. */
export function namedValues(prompt: string, argumentsJson: string[]): Set<string> {
  const said = new Set(contentWords(prompt));
  const values = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === 'string' || typeof value === 'number') {
      for (const w of contentWords(String(value))) if (said.has(w)) values.add(w);
    } else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  for (const json of argumentsJson) {
    try {
      collect(JSON.parse(json || '{}'));
    } catch {
      // arguments the tool could not read either: no value named
    }
  }
  return values;
}

export async function predictionKey(embedder: Embedder, prompt: string, values: Set<string>): Promise<PredictionKey> {
  const own = contentWords(prompt);
  const vectors = await embedder.embed(own);
  return { words: own, vectors: new Map(own.map((w, i) => [w, vectors[i]])), exact: values, all: allWords(prompt) };
}

function mustBeExact(word: string, key: PredictionKey): boolean {
  return EXACT.has(word) || key.exact.has(word) || /\p{N}/u.test(word);
}

const allWords = (text: string) =>
  words(text)
    .map((t) => t.w)
    .join(' ');

/** Whether the request means what the prediction asked, at this similarity of word meanings. */
export async function sameRequest(embedder: Embedder, request: string, key: PredictionKey, similarity: number): Promise<boolean> {
  // Only small talk ("how are you?"): nothing to compare by meaning, so the same words.
  if (key.words.length === 0) return allWords(request) === key.all;
  const asked = contentWords(request);
  const askedSet = new Set(asked);
  const predicted = new Set(key.words);
  const extra = asked.filter((w) => !predicted.has(w));
  const missing = key.words.filter((w) => !askedSet.has(w));
  if (extra.length === 0 && missing.length === 0) return true;
  // A value, a number or an intent-changing word on either side that the other lacks: another request.
  if (extra.some((w) => mustBeExact(w, key)) || missing.some((w) => mustBeExact(w, key))) return false;
  if (extra.length === 0 || missing.length === 0) return false;
  const vectors = await embedder.embed(extra);
  const close = (a: Vector, b: Vector | undefined) => b !== undefined && cosine(a, b) >= similarity;
  // Every word left over on each side has a partner of the same meaning on the other.
  return vectors.every((v) => missing.some((w) => close(v, key.vectors.get(w)))) && missing.every((w) => vectors.some((v) => close(v, key.vectors.get(w))));
}
