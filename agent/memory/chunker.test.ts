import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkText } from './chunker.ts';

test('chunks follow headings and carry the heading path', () => {
  const chunks = chunkText('# Project\nIntro line.\n\n## Deploy\nRun the script.\n\nThen check.\n\n## Notes\nAda wrote this.');
  assert.deepEqual(
    chunks.map((c) => [c.heading, c.text]),
    [
      ['Project', 'Project\nIntro line.'],
      ['Project > Deploy', 'Project > Deploy\nRun the script.\n\nThen check.'],
      ['Project > Notes', 'Project > Notes\nAda wrote this.'],
    ],
  );
});

test('long paragraphs are cut at sentence ends, none over the size', () => {
  const sentence = 'The quick brown fox jumps over the lazy dog. ';
  const chunks = chunkText(sentence.repeat(200), 300);
  assert.ok(chunks.length > 20);
  for (const c of chunks) assert.ok(c.text.length <= 300, `chunk of ${c.text.length}`);
  assert.ok(chunks.every((c) => c.text.endsWith('.')));
});

test('a heading inside a code fence is code, not a section', () => {
  const chunks = chunkText('# Real\n```sh\n# not a heading\necho hi\n```');
  assert.equal(chunks.length, 1);
  assert.match(chunks[0].text, /# not a heading/);
});
