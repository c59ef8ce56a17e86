// The request lexicon as a user notices it: a price asked by where a thing stands ("what's ORCL
// at", "what is tezos going for") is answered by the price reflex, and the questions that share
// those words but ask another thing are left to the model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learn, type Tool } from './learned.test-support.ts';

const prices: Record<string, number> = {
  AAPL: 231,
  MSFT: 415,
  NVDA: 140,
  TSLA: 250,
  ORCL: 172,
  bitcoin: 97000,
  ethereum: 3600,
  solana: 230,
  dogecoin: 0.4,
  monero: 190,
};
const quote: Tool = ({ symbol, coin }) => ({ price: prices[symbol ?? coin] ?? 0 });

test('"what\'s ORCL at" and "whats ORCL going for" ask a stock\'s price; "what was ORCL at yesterday" and "what\'s my battery at" do not', async () => {
  const ask = await learn(
    [
      ['price of AAPL', { symbol: 'AAPL' }],
      ['what is MSFT trading at?', { symbol: 'MSFT' }],
      ['stock price of NVDA', { symbol: 'NVDA' }],
      ["what's the price of TSLA stock", { symbol: 'TSLA' }],
    ],
    quote,
    (a, r) => `${a.symbol} is at ${(r as { price: number }).price} USD.`,
  );
  for (const prompt of ["what's ORCL at", "what's ORCL at right now", 'whats ORCL going for']) assert.equal(ask(prompt), 'ORCL is at 172 USD.', prompt);
  for (const prompt of ['what was ORCL at yesterday', 'what will ORCL be at tomorrow', "what's my battery at", 'what time is ORCL at'])
    assert.equal(ask(prompt), undefined, prompt);
});

test('"what\'s monero at" asks a coin\'s price, where "what is monero" asks what it is', async () => {
  const ask = await learn(
    [
      ['price of bitcoin', { coin: 'bitcoin' }],
      ['what is ethereum worth', { coin: 'ethereum' }],
      ['how much is solana', { coin: 'solana' }],
      ['dogecoin price', { coin: 'dogecoin' }],
    ],
    quote,
    (a, r) => `${a.coin} is at $${(r as { price: number }).price}.`,
  );
  assert.equal(ask("what's monero at"), 'monero is at $190.');
  assert.equal(ask('what is monero going for'), 'monero is at $190.');
  assert.equal(ask('what is monero'), undefined);
  assert.equal(ask('what was monero at in 2017'), undefined);
});
