// The runtime as a user notices it: a value said without its kind word (a room the reflex has seen is a
// room, "is Atlas free"; a name it never saw is not, "is Echo free"), and a price asked in its answer's unit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learn, learnRooms } from '../../test/reflex/learn-one.ts';

test('"is Atlas free" after "is room Atlas free" is answered; "is Echo free", never seen, goes to the model', async () => {
  const ask = await learnRooms();
  assert.equal(ask('is Atlas free'), 'Atlas is busy.');
  assert.equal(ask('Boreal free?'), 'Boreal is free.');
  assert.equal(ask('is Echo free'), undefined);
  assert.equal(ask('is Atlas free tomorrow'), undefined);
  assert.equal(ask('book Atlas'), undefined);
});

test('a price asked in the unit the answer gives it ("monero price usd", "in dollars") is answered; in another unit it is not', async () => {
  const ask = await learn(
    [
      ['price of bitcoin', { coin: 'bitcoin' }],
      ['what is ethereum worth', { coin: 'ethereum' }],
      ['how much is solana', { coin: 'solana' }],
      ['dogecoin price', { coin: 'dogecoin' }],
    ],
    ({ coin }) => ({ usd: coin.length * 10 }),
    (a, r) => `${a.coin} is at $${(r as { usd: number }).usd}.`,
  );
  assert.equal(ask('monero price usd'), 'monero is at $60.');
  assert.equal(ask('price of monero in dollars'), 'monero is at $60.');
  assert.equal(ask('price of monero in euros'), undefined);
  assert.equal(ask('monero price in usd yesterday'), undefined);
});
