// A yes-or-no question about how far a thing named by its code has got, or who holds it, is
// answered by the reflex that gives its status; the same words with a time, another act or
// another question beside them, or about a thing with no code, go to the model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learn } from '../../test/reflex/learn-one.ts';

const parcel = () =>
  learn(
    [
      ['where is my parcel JD0142', { tracking: 'JD0142' }],
      ['track parcel UPS7781', { tracking: 'UPS7781' }],
      ['status of parcel DHL5520', { tracking: 'DHL5520' }],
      ["where's package GLS3009", { tracking: 'GLS3009' }],
    ],
    ({ tracking }) => ({ state: tracking.length % 2 === 0 ? 'in transit' : 'delivered' }),
    (a, r) => `${a.tracking} is ${(r as { state: string }).state}.`,
  );

const ticket = () =>
  learn(
    [
      ['status of OPS-112', { ticket: 'OPS-112' }],
      ["what's the status of WEB-87", { ticket: 'WEB-87' }],
      ['who is working on API-431', { ticket: 'API-431' }],
      ['show ticket DB-9', { ticket: 'DB-9' }],
    ],
    ({ ticket }) => ({ owner: ticket.length % 2 === 0 ? 'Lena' : 'Omar' }),
    (a, r) => `${a.ticket} is with ${(r as { owner: string }).owner}.`,
  );

test('"has parcel HER2207 shipped", "has HER2207 arrived yet" and "is my package HER2207 out for delivery yet" ask its status; a past time, another act or no code go to the model', async () => {
  const ask = await parcel();
  for (const prompt of ['has parcel HER2207 shipped', 'has HER2207 arrived yet', 'is my package HER2207 out for delivery yet', 'ok has parcel HER2207 moved'])
    assert.equal(ask(prompt), 'HER2207 is delivered.', prompt);
  for (const prompt of [
    'was parcel HER2207 signed for last week',
    'has parcel HER2207 arrived at my office',
    'has parcel HER2207 shipped and been paid for',
    'has my parcel arrived yet',
    'has parcel HER2207 not arrived yet',
    'has parcel HER2207 arrived yesterday',
  ])
    assert.equal(ask(prompt), undefined, prompt);
});

test('"who has INF-77", "who is on SEC-14 now", "who is UX-300 assigned to", "is INF-77 done yet" and "SEC-14 done yet?" ask of the ticket; "who is on call" and "who has my keys" are no ticket', async () => {
  const ask = await ticket();
  for (const prompt of [
    'who has INF-77',
    'who is on SEC-14 now',
    "who's on SEC-14",
    'who is UX-300 assigned to',
    'has someone taken INF-77 yet',
    'is INF-77 done yet',
  ])
    assert.match(ask(prompt) ?? '', /^(INF-77|SEC-14|UX-300) is with /, prompt);
  assert.equal(ask('SEC-14 done yet?'), 'SEC-14 is with Lena.');
  for (const prompt of [
    'who is on call',
    'who has my keys',
    'who is on INF-77 and why',
    'who had INF-77 last week',
    'is INF-77 done tomorrow',
    'close INF-77 when done',
  ])
    assert.equal(ask(prompt), undefined, prompt);
});

test('"what does my friday look like" and "walk me through my friday" ask the calendar; the past, another week or whether one is free go to the model', async () => {
  const calendar = await learn(
    [
      ["what's on my calendar on monday", { day: 'monday' }],
      ['what do I have on tuesday', { day: 'tuesday' }],
      ['show my calendar for wednesday', { day: 'wednesday' }],
      ['what is on my calendar thursday', { day: 'thursday' }],
    ],
    ({ day }) => ({ events: day.length }),
    (a, r) => `${(r as { events: number }).events} events on ${a.day}.`,
  );
  for (const prompt of ['hey what does my friday look like', 'walk me through my friday', 'my friday looking busy?', 'how does my friday look'])
    assert.equal(calendar(prompt), '6 events on friday.', prompt);
  for (const prompt of [
    'what did my friday look like',
    'what does my friday look like next week',
    'am i free on friday',
    'what does my note look like',
    'walk me through my taxes',
  ])
    assert.equal(calendar(prompt), undefined, prompt);
});
