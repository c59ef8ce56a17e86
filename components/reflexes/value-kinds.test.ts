// The closed kinds of value a slot learns from its source values: a slot of one kind takes only
// that kind, a slot of none takes none of them (a coin learned from "bitcoin" never takes "rent"
// or "gold"; a stock learned from "AAPL" never takes the coin "LTC" or the metal "XAU").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kindOf, sameKind, slotKinds } from './value-kinds.js';

/** The kinds of a one-slot spec learned from these values, as the runtime reads them. */
function learned(values: string[]) {
  const spec = { slots: ['x'], examples: values.map((x) => ({ slots: { x } })) };
  return { kinds: slotKinds(spec) };
}

test('a value says its kind: coins by name or ticker, metals, countries, meals, numbers in words, holidays', () => {
  assert.equal(kindOf('litecoin'), 'crypto');
  assert.equal(kindOf('Bitcoin'), 'crypto');
  assert.equal(kindOf('LTC'), 'crypto');
  assert.equal(kindOf('XAU'), 'metal');
  assert.equal(kindOf('SEK'), 'currency');
  assert.equal(kindOf('Peru'), 'country');
  assert.equal(kindOf('New Zealand'), 'country');
  assert.equal(kindOf('dinner'), 'meal');
  assert.equal(kindOf('two'), 'number');
  assert.equal(kindOf('Christmas'), 'holiday');
  assert.equal(kindOf('Celsius'), 'unit');
  for (const name of ['rent', 'gold', 'AAPL', 'Lisbon', 'London', 'lasagna', 'school']) assert.equal(kindOf(name), undefined, name);
});

test('a coin slot takes only coins: rent, gold or a coffee is no price a crypto reflex can answer', () => {
  const coins = learned(['bitcoin', 'ethereum', 'solana', 'dogecoin']);
  for (const coin of ['cardano', 'monero', 'tezos', 'XRP']) assert.equal(sameKind(coins, 'x', coin), true, coin);
  for (const thing of ['rent', 'gold', 'coffee', 'oil', 'milk', 'tesla']) assert.equal(sameKind(coins, 'x', thing), false, thing);
});

test('a slot of no closed kind takes none: a ticker-like coin or metal is no stock, a city or continent no country', () => {
  const stocks = learned(['AAPL', 'MSFT', 'NVDA', 'TSLA']);
  for (const symbol of ['LTC', 'BTC', 'ETH', 'XAU', 'EUR']) assert.equal(sameKind(stocks, 'x', symbol), false, symbol);
  assert.equal(sameKind(stocks, 'x', 'ORCL'), true);
  const countries = learned(['Chile', 'Kenya', 'Norway', 'Vietnam']);
  for (const place of ['London', 'Texas', 'Europe', 'Mars']) assert.equal(sameKind(countries, 'x', place), false, place);
  assert.equal(sameKind(countries, 'x', 'Ghana'), true);
  const dishes = learned(['lasagna', 'risotto', 'shakshuka', 'ramen']);
  for (const other of ['dinner', 'two', 'kids', 'yourself']) assert.equal(sameKind(dishes, 'x', other), false, other);
});

test('a word of manner, of a document\'s state or of one of its parts is no name: "read my note slowly", "show invoice overdue"', () => {
  for (const word of ['properly', 'slowly', 'safely', 'better', 'together']) assert.equal(kindOf(word), 'manner', word);
  for (const word of ['overdue', 'paid', 'attached']) assert.equal(kindOf(word), 'state', word);
  assert.equal(kindOf('summary'), 'part');
  assert.equal(kindOf('biggest'), 'degree');
  // Nouns that end as adverbs do, and names, are none of these.
  for (const noun of ['family', 'butterfly', 'supply', 'assembly', 'anomaly', 'Beverly', 'shopping', 'hosting']) assert.notEqual(kindOf(noun), 'manner', noun);
  const titles = learned(['shopping', 'ideas', 'garden', 'packing']);
  for (const word of ['slowly', 'overdue', 'summary']) assert.equal(sameKind(titles, 'x', word), false, word);
});

test('a form of a document or a state of things is no name: "invoice template", "a recipe for disaster" are no invoice or dish', () => {
  for (const word of ['template', 'sample', 'pdf']) assert.equal(kindOf(word), 'part', word);
  for (const word of ['disaster', 'success', 'happiness']) assert.equal(kindOf(word), 'abstract', word);
  const invoices = learned(['april', 'acme', 'march', 'q3']);
  for (const word of ['template', 'sample']) assert.equal(sameKind(invoices, 'x', word), false, word);
  for (const word of ['hosting', 'rent']) assert.equal(sameKind(invoices, 'x', word), true, word);
  const dishes = learned(['lasagna', 'risotto', 'shakshuka', 'ramen']);
  for (const word of ['disaster', 'success', 'love']) assert.equal(sameKind(dishes, 'x', word), false, word);
  // A word a source value had is of no other kind for that slot ("serendipity" and "ennui" are meanings asked).
  assert.equal(sameKind(learned(['serendipity', 'ennui', 'love', 'hubris']), 'x', 'success'), true);
});
