// The managed section: text outside the markers is kept byte for byte; a section is added, replaced
// and removed; facts merge without repeats.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BEGIN, END, mergeFacts, readSection, withSection } from './sections.ts';

test('the text outside the markers is never touched', () => {
  const mine = '# About me\n\nI wrote this myself.  Trailing spaces stay.  \n';
  const added = withSection(mine, '- likes tea');
  assert.ok(added.startsWith(mine), 'what was there stays first');
  assert.equal(readSection(added), '- likes tea');
  const after = `${added}\n## My own footer\n`;
  const replaced = withSection(after, '- likes tea\n- lives in Oslo');
  assert.equal(replaced, `${mine}\n${BEGIN}\n- likes tea\n- lives in Oslo\n${END}\n\n## My own footer\n`);
  assert.equal(withSection(replaced, null), `${mine}\n## My own footer\n`, 'removed: the markers go (with the blank line added with them), the rest stays');
  assert.equal(withSection(withSection(mine, '- x'), null), mine, 'added then removed: exactly what was there');
  assert.equal(readSection(withSection(replaced, null)), null);
  assert.equal(withSection('', '- a'), `${BEGIN}\n- a\n${END}\n`);
});

test('facts merge without repeats, whatever their case', () => {
  assert.equal(mergeFacts(null, ['Likes tea', 'likes tea', ' ']), '- Likes tea');
  assert.equal(mergeFacts('- Likes tea\nA note written by hand', ['LIKES TEA', 'Lives in Oslo']), '- Likes tea\nA note written by hand\n- Lives in Oslo');
});
