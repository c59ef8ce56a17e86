// Latent tagging: a document's one-line summary and its keywords, computed in the background after
// it is saved. By a model when one is configured for it (the background model, typically a local
// Ollama: see taggerModel in start.ts), falling back per document to the deterministic tags when
// the model fails or answers something else. Deterministic (offline, the same text gives the same
// tags): the first heading or sentence, and the words that occur most, weighted by length, stop
// words left out.
import type { ChatRequest } from '../loop/llm-types.ts';
import type { ModelStream } from './extractor.ts';

const STOP = new Set(
  'about above after again against also and any are because been before being below between both but can could did does doing down during each few for from further had has have having her here hers him his how into its itself just more most not now off once only other our ours out over own same she should some such than that the their theirs them then there these they this those through too under until very was were what when where which while who whom why will with would you your yours'.split(
    ' ',
  ),
);

export type Tags = { summary: string; keywords: string[] };

export function tag(text: string, max = 8): Tags {
  const heading = /^#{1,6}\s+(.+)$/m.exec(text)?.[1];
  const sentence =
    text
      .replace(/^#{1,6}\s+.*$/gm, '')
      .trim()
      .split(/(?<=[.!?])\s+|\n\n/)[0] ?? '';
  const summary = (heading ? `${heading}: ${sentence}` : sentence).replace(/\s+/g, ' ').slice(0, 160);
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[\p{L}][\p{L}\p{N}_-]{2,}/gu) ?? []) {
    if (!STOP.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const keywords = [...counts]
    .map(([word, n]) => ({ word, weight: n * Math.log2(2 + word.length) }))
    .sort((a, b) => b.weight - a.weight || (a.word < b.word ? -1 : 1))
    .slice(0, max)
    .map((k) => k.word);
  return { summary, keywords };
}

const MAX_SUMMARY = 160;
const MODEL_INPUT_CHARS = 8000;
const PROMPT =
  'Summarise the document in one sentence of at most 25 words and give up to 8 keywords (lower case, the topics someone would search for). Answer only JSON: {"summary":"...","keywords":["..."]}';

/** The model's summary and keywords; the deterministic ones when it fails or its answer is unusable. */
export async function tagWithModel(text: string, stream: ModelStream, max = 8): Promise<Tags & { by: 'model' | 'keywords' }> {
  try {
    const request: ChatRequest = {
      model: '',
      messages: [
        { role: 'system', content: PROMPT },
        { role: 'user', content: text.slice(0, MODEL_INPUT_CHARS) },
      ],
      tools: [],
      temperature: 0,
    };
    let answer = '';
    for await (const event of stream(request)) {
      if (event.type === 'text') answer += event.text;
      else if (event.type === 'error') throw new Error(event.message);
    }
    const json = JSON.parse(answer.slice(answer.indexOf('{'), answer.lastIndexOf('}') + 1)) as { summary?: unknown; keywords?: unknown };
    const summary = typeof json.summary === 'string' ? json.summary.replace(/\s+/g, ' ').trim().slice(0, MAX_SUMMARY) : '';
    const keywords = Array.isArray(json.keywords)
      ? [...new Set(json.keywords.filter((k): k is string => typeof k === 'string').map((k) => k.trim().toLowerCase().slice(0, 60)))]
          .filter(Boolean)
          .slice(0, max)
      : [];
    if (summary && keywords.length) return { summary, keywords, by: 'model' };
  } catch {
    // answered below
  }
  return { ...tag(text, max), by: 'keywords' };
}
