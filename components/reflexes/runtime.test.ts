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
  // "open" or "empty" at the end says the room is free to use; "open" first would ask to see it.
  assert.equal(ask('is room Cedar open'), 'Cedar is busy.');
  assert.equal(ask('room Cedar empty?'), 'Cedar is busy.');
  assert.equal(ask('open room Cedar'), undefined);
  assert.equal(ask('was room Cedar open yesterday'), undefined);
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
  // The coin and the unit alone ask its price; "my monero" asks what one holds, "rent" is no coin.
  for (const prompt of ['monero usd', 'monero to usd', 'monero in dollars rn?']) assert.equal(ask(prompt), 'monero is at $60.', prompt);
  for (const prompt of ['my monero in usd', 'rent in usd', 'monero usd tomorrow', 'usd to monero', 'sell monero usd'])
    assert.equal(ask(prompt), undefined, prompt);
});

test('"how long til the N7" asks for the bus as the source codes were written; "the stop" or "the N7 yesterday" does not', async () => {
  const ask = await learn(
    [
      ['when is the next M10 bus', { line: 'M10' }],
      ['next N5 bus', { line: 'N5' }],
      ['when does the X9 bus come', { line: 'X9' }],
      ['how long until the M4 bus', { line: 'M4' }],
    ],
    ({ line }) => ({ minutes: line.length * 3 }),
    (a, r) => `The ${a.line} comes in ${(r as { minutes: number }).minutes} min.`,
  );
  assert.equal(ask('how long til the N7'), 'The N7 comes in 6 min.');
  assert.equal(ask('how long until the stop'), undefined);
  assert.equal(ask('how long until the N7 yesterday'), undefined);
});

test('"my steps in km" asks the distance the answer gives; "steps to km" asks to convert one measure to another', async () => {
  const steps = await learn(
    [
      ['how many steps have I walked', {}],
      ['my step count', {}],
      ['step count so far', {}],
      ['how many steps so far', {}],
    ],
    () => ({ steps: 6412, km: 4.8 }),
    (_, r) => `${(r as { steps: number }).steps} steps (${(r as { km: number }).km} km).`,
  );
  assert.equal(steps('my steps in km'), '6412 steps (4.8 km).');
  for (const prompt of ['steps to km', 'my step count to km']) assert.equal(steps(prompt), undefined, prompt);
});
