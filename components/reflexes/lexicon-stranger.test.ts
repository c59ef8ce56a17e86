// The stranger's lexicon as a user notices it: a look-up said in a longer sentence ("at the
// cinema", "battery life", "which person") is answered by its reflex; the same words asking
// another thing, at another time or with another act, are left to the model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learn, learnShowtimes } from '../../test/reflex/learn-one.ts';

test('"when is Conclave showing at the cinema" and "when is Conclave being screened" ask its showtimes; tickets, cast or tomorrow do not', async () => {
  const showtimes = await learnShowtimes();
  for (const prompt of ['when is Conclave showing at the cinema', 'when is Conclave being screened', 'Conclave showtimes at the cinema?'])
    assert.equal(showtimes(prompt), 'Conclave: 18:00 and 20:00.', prompt);
  // "Times" written as a name, or playing a film, asks no showtimes.
  for (const prompt of [
    'buy tickets for Conclave at the cinema',
    'who plays in Conclave',
    'when is Conclave being screened tomorrow',
    'New York Times',
    'play Conclave',
  ])
    assert.equal(showtimes(prompt), undefined, prompt);
});

test('"battery life left?", "phone battery level" and "which person is on call" are answered; headphones, yesterday or paging are not', async () => {
  const battery = await learn(
    ['battery level', 'how much battery is left', "what's my battery level", 'battery status'].map((p) => [p, {}]),
    () => ({ percent: 64 }),
    () => 'Battery at 64%.',
  );
  for (const prompt of ['battery life left?', 'phone battery level', 'battery remaining on this device?'])
    assert.equal(battery(prompt), 'Battery at 64%.', prompt);
  for (const prompt of ['battery level of my headphones', 'battery life yesterday', 'how to improve battery life'])
    assert.equal(battery(prompt), undefined, prompt);
  const oncall = await learn(
    ['who is on call', "who's on call now", 'on call now', 'who is on call right now'].map((p) => [p, {}]),
    () => ({ person: 'Raj' }),
    () => 'Raj is on call.',
  );
  for (const prompt of ['which person is on call', 'who is on call right now for us']) assert.equal(oncall(prompt), 'Raj is on call.', prompt);
  for (const prompt of ['which person was on call last night', 'page the person on call for us']) assert.equal(oncall(prompt), undefined, prompt);
  for (const prompt of ['who do i page right now', 'who should i page']) assert.equal(oncall(prompt), 'Raj is on call.', prompt);
});

test('"emails I haven\'t read" and "emails i havent read - how many" ask the unread emails; emails one read, or sent, do not', async () => {
  const unread = await learn(
    ['do I have unread emails', 'unread emails', 'how many unread emails do I have', 'check my unread emails'].map((p) => [p, {}]),
    () => ({ count: 3 }),
    () => '3 unread emails.',
  );
  for (const prompt of ["emails I haven't read", 'emails i havent read - how many', 'emails i have not read'])
    assert.equal(unread(prompt), '3 unread emails.', prompt);
  for (const prompt of ['emails I read', "emails I haven't sent", "emails I haven't read yesterday"]) assert.equal(unread(prompt), undefined, prompt);
});

test('"how long is essay.txt in words" asks its word count and "distance to Trier in km" its distance; in pages or in miles they do not', async () => {
  const words = await learn(
    [
      ['how many words are in thesis.md', { path: 'thesis.md' }],
      ['word count of notes.txt', { path: 'notes.txt' }],
      ['count words in draft.docx', { path: 'draft.docx' }],
      ['how many words does plan.md have', { path: 'plan.md' }],
    ],
    ({ path }) => ({ words: path.length * 100 }),
    (a, r) => `${a.path} has ${(r as { words: number }).words} words.`,
  );
  for (const prompt of ['how long is essay.txt in words', 'length of essay.txt in words', 'how long is essay.txt word wise'])
    assert.equal(words(prompt), 'essay.txt has 900 words.', prompt);
  for (const prompt of ['how long is essay.txt in pages', 'how long is essay.txt']) assert.equal(words(prompt), undefined, prompt);
  const distance = await learn(
    [
      ['how far is Bonn', { to: 'Bonn' }],
      ['distance to Kiel', { to: 'Kiel' }],
      ['how far away is Ulm?', { to: 'Ulm' }],
      ['how many km to Jena', { to: 'Jena' }],
    ],
    ({ to }) => ({ km: to.length * 100 }),
    (a, r) => `${a.to} is ${(r as { km: number }).km} km away.`,
  );
  for (const prompt of ['distance to Trier in km', 'how far is Trier in kilometres']) assert.equal(distance(prompt), 'Trier is 500 km away.', prompt);
  for (const prompt of ['how far is Trier in miles', 'distance to Trier in km by plane']) assert.equal(distance(prompt), undefined, prompt);
});

test('"Nepal inhabitants" asks its population; a city\'s or its people in 1990 do not', async () => {
  const population = await learn(
    [
      ['population of Chile', { country: 'Chile' }],
      ['how many people live in Kenya', { country: 'Kenya' }],
      ['what is the population of Norway', { country: 'Norway' }],
      ['how big is the population of Japan', { country: 'Japan' }],
    ],
    ({ country }) => ({ millions: country.length * 2 }),
    (a, r) => `${a.country}: ${(r as { millions: number }).millions} million people.`,
  );
  for (const prompt of ['Nepal inhabitants', 'Nepal citizens']) assert.equal(population(prompt), 'Nepal: 10 million people.', prompt);
  for (const prompt of ['Paris inhabitants', 'Nepal inhabitants in 1990', 'famous Nepal people']) assert.equal(population(prompt), undefined, prompt);
});

test('"list all my todos" asks the whole list, as "my todo list" does; deleting them or asking whether they are done does not', async () => {
  const todo = await learn(
    [
      ["what's on my todo list", {}],
      ['show my todo list', {}],
      ['my todo list', {}],
      ['what is on my todo list', {}],
    ],
    () => ({ items: ['milk', 'taxes'] }),
    (_, r) => `Todo: ${(r as { items: string[] }).items.join(', ')}.`,
  );
  for (const prompt of ['list all my todos', 'all of my todos']) assert.equal(todo(prompt), 'Todo: milk, taxes.', prompt);
  for (const prompt of ['delete all my todos', 'are all my todos done']) assert.equal(todo(prompt), undefined, prompt);
});

test('"minutes until the next N7 bus" and "how long do I have to wait for the N7 bus" ask how long until it comes; yesterday\'s wait does not', async () => {
  const bus = await learn(
    ['M10', 'N5', 'X9', '147'].map((l, i) => [
      ['when is the next {l} bus', 'next {l} bus', 'when does the {l} bus come', 'how long until the {l} bus'][i].replace('{l}', l),
      { line: l },
    ]),
    ({ line }) => ({ minutes: line.length * 3 }),
    (a, r) => `The ${a.line} comes in ${(r as { minutes: number }).minutes} minutes.`,
  );
  for (const prompt of ['minutes until the next N7 bus', 'how many mins till the N7 bus', 'how long do I have to wait for the N7 bus'])
    assert.equal(bus(prompt), 'The N7 comes in 6 minutes.', prompt);
  assert.equal(bus('minutes until the N7 bus yesterday'), undefined);
});

test('"what time\'s it in Denver this second", "how soon is the M41 bus" and "show note travel on screen" are answered; a past or another act is not', async () => {
  const clock = await learn(
    ['Tokyo', 'Lima', 'Delhi', 'Sydney'].map((city, i) => [
      ['what time is it in {c}', 'time in {c}', "what's the time in {c}?", 'current time in {c}'][i].replace('{c}', city),
      { city },
    ]),
    ({ city }) => ({ time: `${city.length}:00` }),
    (a, r) => `It is ${(r as { time: string }).time} in ${a.city}.`,
  );
  // An "'s" before a pronoun is "is": a thing owns no "it".
  for (const prompt of ["what time's it in Denver", "what time's it in Denver this second"]) assert.equal(clock(prompt), 'It is 6:00 in Denver.', prompt);
  for (const prompt of ["what time's it in Denver tomorrow", 'what time was it in Denver']) assert.equal(clock(prompt), undefined, prompt);
  const bus = await learn(
    ['M10', 'N5', 'X9', '147'].map((line, i) => [
      ['when is the next {l} bus', 'next {l} bus', 'when does the {l} bus come', 'how long until the {l} bus'][i].replace('{l}', line),
      { line },
    ]),
    ({ line }) => ({ min: line.length }),
    (a, r) => `The next ${a.line} comes in ${(r as { min: number }).min} min.`,
  );
  assert.equal(bus('how soon is the M41 bus'), 'The next M41 comes in 3 min.');
  assert.equal(bus('how soon was the M41 bus'), undefined);
  const note = await learn(
    ['shopping', 'ideas', 'garden', 'packing'].map((title, i) => [
      ['show my note {t}', 'show me the note {t}', 'what does my note {t} say?', 'read my note {t}'][i].replace('{t}', title),
      { title },
    ]),
    ({ title }) => ({ body: `${title.length} lines` }),
    (a, r) => `Note ${a.title}: ${(r as { body: string }).body}.`,
  );
  assert.equal(note('show note travel on screen'), 'Note travel: 6 lines.');
  assert.equal(note('delete note travel on screen'), undefined);
});
