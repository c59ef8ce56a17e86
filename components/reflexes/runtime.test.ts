// The runtime's reading of a value said without its kind word: a room the reflex has seen is a
// room ("is Atlas free"), a name it never saw is not said to be one ("is Echo free": the model answers).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learn } from './learned.test-support.ts';

test('"is Atlas free" after "is room Atlas free" is answered; "is Echo free", never seen, goes to the model', async () => {
  const ask = await learn(
    [
      ['is room Atlas free', { room: 'Atlas' }],
      ['is the Boreal room free', { room: 'Boreal' }],
      ['Cedar room free', { room: 'Cedar' }],
      ['can I use room Delta', { room: 'Delta' }],
    ],
    ({ room }) => ({ state: room.length % 2 === 0 ? 'free' : 'busy' }),
    (a, r) => `${a.room} is ${(r as { state: string }).state}.`,
  );
  assert.equal(ask('is Atlas free'), 'Atlas is busy.');
  assert.equal(ask('Boreal free?'), 'Boreal is free.');
  assert.equal(ask('is Echo free'), undefined);
  assert.equal(ask('is Atlas free tomorrow'), undefined);
  assert.equal(ask('book Atlas'), undefined);
});
