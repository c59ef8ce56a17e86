// The request lexicon as a user notices it: a price asked by where a thing stands ("what's ORCL
// at", "what is tezos going for") and a question asked inside another ("could you tell me whether
// ...") are answered by the reflex, and the questions that share those words but ask another thing
// are left to the model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learn, type Tool } from '../../test/reflex/learn-one.ts';

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

test('a question asked inside another ("could you tell me whether the build is passing", "do you know what time it is in Oslo") is answered as the question', async () => {
  const build = await learn(
    ['build status', 'is the build passing', "what's the build status", 'how is the build'].map((p) => [p, {}]),
    () => ({ state: 'passing' }),
    () => 'The build is passing.',
  );
  assert.equal(build('could you tell me whether the build is passing at the moment'), 'The build is passing.');
  assert.equal(build('tell me if the build is passing'), 'The build is passing.');
  assert.equal(build('could you tell me whether the build was passing yesterday'), undefined);
  assert.equal(build('could you tell me whether the build is not passing'), undefined);
  const clock = await learn(
    ['Tokyo', 'Lima', 'Delhi', 'Sydney'].map((c, i) => [
      ['what time is it in {c}', 'time in {c}', "what's the time in {c}?", 'current time in {c}'][i].replace('{c}', c),
      { city: c },
    ]),
    ({ city }) => ({ time: `${city.length}:00` }),
    (a, r) => `It is ${(r as { time: string }).time} in ${a.city}.`,
  );
  assert.equal(clock('do you know what time it is in Oslo'), 'It is 4:00 in Oslo.');
  assert.equal(clock('do you know what time it was in Oslo'), undefined);
  assert.equal(clock('tell me what time it will be in Oslo'), undefined);
});

test('chat spellings read as the words ("laconic def pls", "how long til"), and the question they spell is held to the same checks', async () => {
  const define = await learn(
    [
      ['define serendipity', { word: 'serendipity' }],
      ['what does ennui mean', { word: 'ennui' }],
      ['definition of petrichor', { word: 'petrichor' }],
      ['what is the definition of hubris', { word: 'hubris' }],
    ],
    ({ word }) => ({ gloss: `a word of ${word.length} letters` }),
    (a, r) => `${a.word}: ${(r as { gloss: string }).gloss}.`,
  );
  assert.equal(define('laconic def pls'), 'laconic: a word of 7 letters.');
  assert.equal(define('def of laconic'), 'laconic: a word of 7 letters.');
  assert.equal(define('laconic def in french'), undefined);
  assert.equal(define('laconic def and synonyms'), undefined);
});

test('"is KL1776 delayed" is answered by the status that says whether it is on time; how long, why, or yesterday is not', async () => {
  const flight = await learn(
    [
      ['status of flight LH401', { flight: 'LH401' }],
      ['is flight BA117 on time', { flight: 'BA117' }],
      ['flight status AF22', { flight: 'AF22' }],
      ["what's the status of UA900", { flight: 'UA900' }],
    ],
    ({ flight }) => ({ status: flight.length % 2 === 0 ? 'delayed' : 'on time' }),
    (a, r) => `${a.flight} is ${(r as { status: string }).status}.`,
  );
  for (const prompt of [
    'is flight KL1776 delayed',
    'is flight KL1776 running late',
    'flight KL1776 late?',
    'any delays on KL1776',
    'KL1776 - on time or late?',
  ])
    assert.equal(flight(prompt), 'KL1776 is delayed.', prompt);
  for (const prompt of [
    'how long is flight KL1776 delayed',
    'why is flight KL1776 delayed',
    'was flight KL1776 delayed yesterday',
    'how late is flight KL1776',
  ])
    assert.equal(flight(prompt), undefined, prompt);
});

test('a word asked about in a longer frame ("what the word sonder means", "sonder mean in English", "supposed to mean") is defined; its origin, rhymes or translation are not', async () => {
  const define = await learn(
    [
      ['define serendipity', { word: 'serendipity' }],
      ['what does ennui mean', { word: 'ennui' }],
      ['definition of petrichor', { word: 'petrichor' }],
      ['what is the definition of hubris', { word: 'hubris' }],
    ],
    ({ word }) => ({ gloss: `a word of ${word.length} letters` }),
    (a, r) => `${a.word}: ${(r as { gloss: string }).gloss}.`,
  );
  for (const prompt of ['could you tell me what the word sonder means', 'whats sonder mean in english', 'so what is sonder supposed to mean'])
    assert.equal(define(prompt), 'sonder: a word of 6 letters.', prompt);
  for (const prompt of ['where does the word sonder come from', 'how old is the word sonder', 'translate sonder into english', 'what did sonder mean in 1800'])
    assert.equal(define(prompt), undefined, prompt);
});

test('"what\'s happening friday" and "what have I got going on friday" read the calendar; what happened or what happens next friday do not', async () => {
  const calendar = await learn(
    [
      ["what's on my calendar on monday", { day: 'monday' }],
      ['what do I have on tuesday', { day: 'tuesday' }],
      ['show my calendar for wednesday', { day: 'wednesday' }],
      ['what is on my calendar thursday', { day: 'thursday' }],
    ],
    ({ day }) => ({ events: [`standup ${day}`] }),
    (a) => `On ${a.day}: standup.`,
  );
  for (const prompt of ["what's happening friday", 'ok what have i got going on friday']) assert.equal(calendar(prompt), 'On friday: standup.', prompt);
  for (const prompt of ['what was happening friday', "what's happening next friday", "what's happening in Paris", 'what happened friday'])
    assert.equal(calendar(prompt), undefined, prompt);
});

test('"how many euros is 1 AUD", "1 CAD in euros" and "price for ORCL shares" ask the rate and the price; the other way round, another amount or selling shares do not', async () => {
  const fx = await learn(
    [
      ['exchange rate USD to EUR', { from: 'USD' }],
      ['how much is one GBP in euros', { from: 'GBP' }],
      ['CHF to euro', { from: 'CHF' }],
      ["what's the JPY to EUR rate", { from: 'JPY' }],
    ],
    ({ from }) => ({ rate: from.length / 4 }),
    (a, r) => `1 ${a.from} is ${(r as { rate: number }).rate} EUR.`,
  );
  for (const prompt of ['how many euros is 1 AUD', 'how many euros for one AUD', 'how many euros is a AUD', '1 AUD in euros?'])
    assert.equal(fx(prompt), '1 AUD is 0.75 EUR.', prompt);
  for (const prompt of ['how much is 1 euro in AUD', 'how many yen is one AUD', 'exchange 300 AUD into euros', 'convert 500 AUD to EUR'])
    assert.equal(fx(prompt), undefined, prompt);
  const stock = await learn(
    [
      ['price of AAPL', { symbol: 'AAPL' }],
      ['what is MSFT trading at?', { symbol: 'MSFT' }],
      ['stock price of NVDA', { symbol: 'NVDA' }],
      ["what's the price of TSLA stock", { symbol: 'TSLA' }],
    ],
    quote,
    (a, r) => `${a.symbol} is at ${(r as { price: number }).price} USD.`,
  );
  for (const prompt of ['price for ORCL shares', 'the price of ORCL shares', 'how much does ORCL cost per share'])
    assert.equal(stock(prompt), 'ORCL is at 172 USD.', prompt);
  for (const prompt of ['sell 5 shares of ORCL', 'buy ORCL shares', 'how many ORCL shares do I own']) assert.equal(stock(prompt), undefined, prompt);
});

test('"hows SEC-14 going" and "SEC-14 progress" ask a ticket\'s status; how it is going to end, or a person, do not', async () => {
  const ticket = await learn(
    [
      ['status of OPS-112', { ticket: 'OPS-112' }],
      ["what's the status of WEB-87", { ticket: 'WEB-87' }],
      ['who is working on API-431', { ticket: 'API-431' }],
      ['show ticket APP-256', { ticket: 'APP-256' }],
    ],
    ({ ticket }) => ({ state: ticket.length % 2 === 0 ? 'open' : 'in review' }),
    (a, r) => `${a.ticket} is ${(r as { state: string }).state}.`,
  );
  for (const prompt of ['hows SEC-14 going', 'how is SEC-14 doing', 'SEC-14 progress']) assert.equal(ticket(prompt), 'SEC-14 is open.', prompt);
  for (const prompt of ['hows SEC-14 going to end', 'how is Anna doing', 'how was SEC-14 going yesterday']) assert.equal(ticket(prompt), undefined, prompt);
});
