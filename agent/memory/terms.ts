// The words full-text search works on: letters and digits, lowercased, accents dropped (as FTS5's
// unicode61 tokeniser does), stop words left out. One tokeniser for the index and for the query,
// so a word is found the way it was written down.

// Words nearly every chunk has: they would rank everything, slowly, and tell nothing apart.
export const STOP_WORDS = new Set(
  'a an and are as at be but by can could did do does for from had has have how i if in is it its me my no not of on or our so that the their them then there these they this to was we were what when where which who why will with would you your'.split(
    ' ',
  ),
);
export const MAX_QUERY_TERMS = 16;

function words(text: string): string[] {
  let lower = text.toLowerCase();
  // Only text outside ASCII can carry accents: the common case skips the normalisation.
  if (/[^ -~\s]/.test(lower)) lower = lower.normalize('NFKD').replace(/\p{M}/gu, '');
  return lower.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Every word of a chunk (repeats kept, for term frequency), stop words left out. */
export function chunkTerms(text: string): string[] {
  return words(text).filter((w) => !STOP_WORDS.has(w));
}

/** A query's distinct words, stop words left out, at most MAX_QUERY_TERMS. */
export function queryTerms(text: string): string[] {
  return [...new Set(words(text))].filter((w) => !STOP_WORDS.has(w)).slice(0, MAX_QUERY_TERMS);
}
