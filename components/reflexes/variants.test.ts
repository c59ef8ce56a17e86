// Tie words of one group stand for each other: "word count on report.md" asks what "word count of
// report.md" asks, and a value of another kind after the tie word is still no value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learn } from '../../test/reflex/learn-one.ts';

test('"word count on report.md" is "word count of report.md"; "word count on friday" is no file', async () => {
  const ask = await learn(
    [
      ['how many words are in thesis.md', { path: 'thesis.md' }],
      ['word count of notes.txt', { path: 'notes.txt' }],
      ['count words in draft.docx', { path: 'draft.docx' }],
      ['how many words does README.md have', { path: 'README.md' }],
    ],
    ({ path }) => ({ words: path.length * 100 }),
    (a, r) => `${a.path} has ${(r as { words: number }).words} words.`,
  );
  assert.equal(ask('word count on report.md'), 'report.md has 900 words.');
  assert.equal(ask('whats the word count for report.md'), 'report.md has 900 words.');
  assert.equal(ask('word count on friday'), undefined);
  assert.equal(ask('word count on report.md yesterday'), undefined);
});
