// Requests typed with slips, to reflexes learned from requests typed right: a slip of a phrasing's
// word is answered as the word, and a request that asks another thing is still left to the model
// when its own words are typed with a slip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learn, learnRooms, type Tool } from '../../test/reflex/learn-one.ts';

const build: Tool = () => ({ state: 'passing', run: 812 });
const sayBuild = (_: unknown, r: unknown) => `The build is ${(r as { state: string }).state} (run ${(r as { run: number }).run}).`;
const buildPrompts: Array<[string, Record<string, string>]> = ['build status', 'is the build passing', "what's the build status", 'how is the build'].map(
  (p) => [p, {}],
);

test('a short word typed with a letter left out or doubled is read as the word: "buld status", "is the buiild passing"', async () => {
  const ask = await learn(buildPrompts, build, sayBuild);
  const right = 'The build is passing (run 812).';
  for (const prompt of ['buld status', 'is the buld passing', 'is the buiild passing', 'whats the bulid status', 'build stauts'])
    assert.equal(ask(prompt), right, prompt);
  // A slip in the words around the request does not stop it either ("plese", "stauts").
  assert.equal(ask('build status plese'), right);
  // Another act or time typed with a slip is still that act or time: the model answers.
  for (const prompt of ['restart the buld', 'was the buld passing yesterday', 'buld status tomorow', 'cancel the buld'])
    assert.equal(ask(prompt), undefined, prompt);
});

const prices: Record<string, number> = { AAPL: 231, MSFT: 415, NVDA: 140, TSLA: 250, IBM: 221 };
const stock: Tool = ({ symbol }) => ({ price: prices[symbol] ?? 0 });
const sayStock = (a: Record<string, string>, r: unknown) => `${a.symbol} is at ${(r as { price: number }).price} USD.`;

test('a price asked with its words typed with slips ("prce", "stok", "tradign") is answered; another question so typed is not', async () => {
  const ask = await learn(
    [
      ['price of AAPL', { symbol: 'AAPL' }],
      ['what is MSFT trading at?', { symbol: 'MSFT' }],
      ['stock price of NVDA', { symbol: 'NVDA' }],
      ["what's the price of TSLA stock", { symbol: 'TSLA' }],
    ],
    stock,
    sayStock,
  );
  assert.equal(ask('prce of IBM'), 'IBM is at 221 USD.');
  assert.equal(ask('stok price of IBM'), 'IBM is at 221 USD.');
  assert.equal(ask('what is IBM tradign at'), 'IBM is at 221 USD.');
  // The value is never mended: a symbol is as typed, and a word typed beside it that no phrasing had stays unknown.
  assert.equal(ask('prce of IBM yesterday'), undefined);
  assert.equal(ask('sell IBM stok'), undefined);
});

const notes: Tool = ({ title }) => ({ title, lines: 3 });
const sayNote = (a: Record<string, string>, r: unknown) => `Your note ${a.title} has ${(r as { lines: number }).lines} lines.`;

test('a slip is no word of the value after it, but a plural typed with a slip is as unsure as a plural', async () => {
  const ask = await learn(
    [
      ['show my note shopping', { title: 'shopping' }],
      ['show me the note ideas', { title: 'ideas' }],
      ['what does my note garden say?', { title: 'garden' }],
      ['read my note packing', { title: 'packing' }],
    ],
    notes,
    sayNote,
  );
  assert.equal(ask('show my ntoe travel'), 'Your note travel has 3 lines.');
  // "show my notes folder": the folder of notes, or a note called "folder"? Typed "noets", the same doubt.
  assert.equal(ask('show my notes folder'), undefined);
  assert.equal(ask('show my noets folder'), undefined);
  // Another act typed with a slip ("delte") is no reading of the note.
  assert.equal(ask('delte my note travel'), undefined);
});

test('a value typed as a slip of a word no value is ("alod", "summay") is no sure value: the model answers', async () => {
  const ask = await learn(
    [
      ['show my note shopping', { title: 'shopping' }],
      ['show me the note ideas', { title: 'ideas' }],
      ['what does my note garden say?', { title: 'garden' }],
      ['read my note packing', { title: 'packing' }],
    ],
    notes,
    sayNote,
  );
  assert.equal(ask('read my note aloud'), undefined);
  for (const prompt of ['read my note alod', 'read my note aluod', 'show my note summay', 'show my note cheapst', 'show my note yestrday'])
    assert.equal(ask(prompt), undefined, prompt);
  // A name that is no slip of such a word is a name ("show my note quilting" is a note called quilting).
  assert.equal(ask('show my note quilting'), 'Your note quilting has 3 lines.');
});

test('a slip of another word for a phrasing\'s word is read as it ("avialable": free), and a slip of a word of another act ("chage") never is', async () => {
  const rooms = await learnRooms();
  assert.equal(rooms('is room Fjord avialable'), 'Fjord is busy.');
  assert.equal(rooms('is room Harbor availble'), 'Harbor is free.');
  const battery = await learn(
    ['battery level', 'how much battery is left', "what's my battery level", 'battery status'].map((p) => [p, {}]),
    () => ({ level: 63 }),
    () => 'Battery at 63%.',
  );
  assert.equal(battery('batery levle'), 'Battery at 63%.');
  assert.equal(battery('chage the battery'), undefined);
  assert.equal(battery('battery level yestreday'), undefined);
});
