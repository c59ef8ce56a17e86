// Latent tagging: a document's one-line summary and its keywords, computed in the background after
// it is saved. Deterministic (offline, the same text gives the same tags): the first heading or
// sentence, and the words that occur most, weighted by length, stop words left out.

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
