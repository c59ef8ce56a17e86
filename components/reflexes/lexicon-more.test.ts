// More of the request lexicon as a user notices it: a day asked by whether one is free, the pager
// by who holds it, the disk by how full it is, are answered by their reflexes; the same words of
// another time or act are left to the model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learn, learnShowtimes } from '../../test/reflex/learn-one.ts';

test('"anything booked sunday", "my cal for sunday" and "what meetings do I have sunday" read the calendar; whether one is free, another sunday or booking does not', async () => {
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
  for (const prompt of ['anything booked sunday?', 'my cal for sunday pls', 'what meetings do I have sunday'])
    assert.equal(calendar(prompt), 'On sunday: standup.', prompt);
  for (const prompt of ['am I free on sunday', 'any free slots on sunday', 'book something sunday', 'was anything booked last sunday'])
    assert.equal(calendar(prompt), undefined, prompt);
});

test('"who has pager duty now" and "whos got the pager" ask who is on call; next week or paging them do not', async () => {
  const oncall = await learn(
    ['who is on call', "who's on call now", 'on call now', 'who is on call right now'].map((p) => [p, {}]),
    () => ({ person: 'Raj' }),
    () => 'Raj is on call.',
  );
  for (const prompt of ['who has pager duty now', 'whos got the pager']) assert.equal(oncall(prompt), 'Raj is on call.', prompt);
  for (const prompt of ['who has pager duty next week', 'who had the pager yesterday', 'page the on call']) assert.equal(oncall(prompt), undefined, prompt);
});

test('"is my disk full" and "how full is the disk" ask the free space; when it will be full does not', async () => {
  const disk = await learn(
    ['how much disk space is free', 'free disk space', 'disk space left', 'how much free disk space do I have'].map((p) => [p, {}]),
    () => ({ free_gb: 120 }),
    () => '120 GB free.',
  );
  for (const prompt of ['is my disk full', 'how full is the disk']) assert.equal(disk(prompt), '120 GB free.', prompt);
  for (const prompt of ['when will my disk be full', 'was my disk full yesterday', 'is my disk not full']) assert.equal(disk(prompt), undefined, prompt);
});

test('"Conclave times" asks when a film is shown, "what goes into gnocchi" its recipe; how many times, bus times or tonight do not', async () => {
  const showtimes = await learnShowtimes();
  for (const prompt of ['Conclave times', 'hi Conclave times?', 'Conclave times today']) assert.equal(showtimes(prompt), 'Conclave: 18:00 and 20:00.', prompt);
  for (const prompt of ['Conclave times tonight', 'how many times was Conclave shown', 'N7 bus times']) assert.equal(showtimes(prompt), undefined, prompt);
  const recipe = await learn(
    [
      ['recipe for lasagna', { dish: 'lasagna' }],
      ['how do I cook risotto', { dish: 'risotto' }],
      ['give me a recipe for shakshuka', { dish: 'shakshuka' }],
      ['recipe for ramen', { dish: 'ramen' }],
    ],
    ({ dish }) => ({ steps: dish.length }),
    (a, r) => `${a.dish}: ${(r as { steps: number }).steps} steps.`,
  );
  assert.equal(recipe('what goes into gnocchi'), 'gnocchi: 7 steps.');
  assert.equal(recipe('where does gnocchi come from'), undefined);
});
