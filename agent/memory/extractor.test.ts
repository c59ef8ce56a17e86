import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extract, extractWithModel } from './extractor.ts';

test('files, symbols and names are found, with a verb relation between neighbours', () => {
  const { entities, relations } = extract(['Ada Lovelace changed `parseConfig` in src/config.ts last week.', 'The handler calls parseConfig() twice.']);
  const byId = Object.fromEntries(entities.map((e) => [e.id, e]));
  assert.equal(byId['ada lovelace']?.kind, 'name');
  assert.equal(byId.parseconfig?.kind, 'symbol');
  assert.equal(byId.parseconfig?.count, 2);
  assert.equal(byId['src/config.ts']?.kind, 'file');
  assert.ok(relations.some((r) => r.source === 'ada lovelace' && r.target === 'parseconfig' && r.type === 'changed'));
  // "The" is not a name.
  assert.equal(byId.the, undefined);
});

test('the same text always gives the same graph', () => {
  const text = ['Grace Hopper maintains the compiler. The compiler uses lexer_state and Parser.'];
  assert.deepEqual(extract(text), extract(text));
});

test('a model answer that is not JSON falls back to the deterministic reading', async () => {
  const stream = async function* () {
    yield { type: 'text' as const, text: 'I cannot do that' };
  };
  const result = await extractWithModel(['Linus Torvalds wrote git.'], stream);
  assert.ok(result.entities.some((e) => e.id === 'linus torvalds'));
});
