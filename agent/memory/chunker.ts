// Chunks of a document for search: sections by Markdown heading, then paragraphs packed up to a
// size; a paragraph longer than that is cut at sentence ends (at worst mid-text). Each chunk carries
// its heading path, so a hit names where in the document it is.

export type Chunk = { seq: number; heading: string; text: string };

export const CHUNK_CHARS = 1200;

function pieces(paragraph: string, max: number): string[] {
  if (paragraph.length <= max) return [paragraph];
  const out: string[] = [];
  let current = '';
  for (const sentence of paragraph.match(/[^.!?\n]+[.!?]*\s*|\n/g) ?? [paragraph]) {
    if (current.length + sentence.length > max && current) {
      out.push(current.trim());
      current = '';
    }
    // A single sentence longer than max is cut into max-sized pieces.
    for (let s = sentence; s.length > 0; s = s.slice(max)) {
      if (s.length > max) out.push(s.slice(0, max));
      else current += s;
      if (s.length <= max) break;
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** Splits Markdown or plain text into chunks of at most about `max` characters. */
export function chunkText(text: string, max = CHUNK_CHARS): Chunk[] {
  const chunks: Chunk[] = [];
  const headings: string[] = [];
  let paragraphs: string[] = [];
  let inFence = false;
  let paragraph: string[] = [];
  const endParagraph = () => {
    const body = paragraph.join('\n').trim();
    if (body) paragraphs.push(body);
    paragraph = [];
  };
  const endSection = () => {
    endParagraph();
    const heading = headings.filter(Boolean).join(' > ');
    let current = '';
    const flush = () => {
      if (current.trim()) chunks.push({ seq: chunks.length, heading, text: heading ? `${heading}\n${current.trim()}` : current.trim() });
      current = '';
    };
    for (const p of paragraphs.flatMap((p) => pieces(p, max))) {
      if (current && current.length + p.length + 2 > max) flush();
      current += (current ? '\n\n' : '') + p;
    }
    flush();
    paragraphs = [];
  };
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading) {
      endSection();
      const level = heading[1].length;
      headings.length = level;
      headings[level - 1] = heading[2];
      continue;
    }
    if (!inFence && line.trim() === '') endParagraph();
    else paragraph.push(line);
  }
  endSection();
  return chunks;
}
