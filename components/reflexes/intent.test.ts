// The intent check and the request lexicon: a request's act, time, polarity, joined requests and
// kind of question are read apart from its topic, and the everyday ways of asking read as one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intentOf, sameIntent } from './intent.js';
import { words } from './runtime.js';

const read = (text: string) => words(text).map((t) => t.w);

test('everyday ways of asking read as one: "pull up the invoice named march" is "show the invoice called march"', () => {
  assert.deepEqual(read('pull up the invoice named march'), read('show the invoice called march'));
  assert.deepEqual(read('where is my package X1'), read('where is my parcel X1'));
  assert.deepEqual(read('what is the weather in Oslo right now'), read('what is the weather in Oslo now'));
  assert.deepEqual(read('my to-do list'), read('my todo list'));
  assert.deepEqual(read('when does the sun go down in Oslo'), read('when does the sunset in Oslo'));
  // A change is never read away: "archive" stays, and "check in" is no "check".
  assert.ok(read('archive the invoice called march').includes('archive'));
  assert.ok(read('check in for flight LH401').includes('checkin'));
});

test('a request and a phrasing with another act, time, polarity or an added request differ in intent', () => {
  const phrasing = read('show my invoice called {name}');
  const same = (prompt: string) => sameIntent(read(prompt), phrasing);
  assert.equal(same('pull up the invoice named'), true);
  assert.equal(same('archive the invoice called'), false);
  assert.equal(same("don't show my invoice called"), false);
  assert.equal(same('what was in my invoice called'), false);
  assert.equal(same('show my invoice called tomorrow'), false);
  assert.equal(same('show my invoice called and then delete it'), false);
  assert.equal(same('why show my invoice called'), false);
});

test('the kind of question: a plain "what" or an amount where the phrasing asked nothing, never another question', () => {
  const named = read('km to {to}');
  assert.equal(sameIntent(read('how many km to'), named), true);
  assert.equal(sameIntent(read('what is the km to'), named), true);
  assert.equal(sameIntent(read('why km to'), named), false);
  const counted = read('how many words are in {path}');
  assert.equal(sameIntent(read('what words are in'), counted), false);
  assert.equal(sameIntent(read('how many words are in'), counted), true);
});

test('intentOf reads tense, negation, joins and acts', () => {
  assert.deepEqual(intentOf(read('what was the weather in Oslo')), {
    negated: false,
    tense: 'past',
    joins: 0,
    changes: '',
    why: false,
    measure: '',
    method: false,
    kind: false,
    modal: false,
  });
  assert.deepEqual(intentOf(read("I won't need the weather tomorrow")).negated, true);
  assert.equal(intentOf(read('weather in Oslo tomorrow')).tense, 'future');
  assert.equal(intentOf(read('weather in Oslo and book a hotel')).changes, 'book');
  assert.equal(intentOf(read('weather in Oslo and book a hotel')).joins, 1);
});

test('"how long is the bus" asks the ride\'s length and "how do I get on call" a way to do it: neither is the phrasing\'s question', () => {
  const until = read('how long until the {line} bus');
  assert.equal(sameIntent(read('how long until the bus'), until), true);
  assert.equal(sameIntent(read('how long is the bus'), until), false);
  assert.equal(intentOf(read('how far is Kiel')).measure, 'far');
  const who = read('who is on call');
  assert.equal(sameIntent(read('how do I get on call'), who), false);
  assert.equal(sameIntent(read('how do I cook'), read('how do I cook {dish}')), true);
});

test('"what is a ci build" asks what a kind of thing is, never the state "what is the build status" reads', () => {
  const phrasing = read('what is the build status');
  assert.equal(sameIntent(read('what is a ci build'), phrasing), false);
  assert.equal(sameIntent(read("what's an aqi"), read('what is the aqi in {city}')), false);
  assert.equal(sameIntent(read('what is the ci build status'), phrasing), true);
});

test('"when is the next train from X" asks what "next trains from X" does; "when is the train from X" and "when did the next one leave" do not', () => {
  const phrasing = read('next trains from {station}');
  const same = (prompt: string) => sameIntent(read(prompt), phrasing);
  assert.equal(same('when is the next train from'), true);
  assert.equal(same('when is the train from'), false);
  assert.equal(same('when did the next train from leave'), false);
  assert.equal(same('why is the next train from'), false);
  // A phrasing that asks something of its own keeps its asking words.
  assert.equal(sameIntent(read('when is the next train from'), read('how long until the next {line} bus')), false);
});

test('"who should work on X", "how many words can X have" and "what time can I see X" ask what may or should be, never the state the phrasing reads', () => {
  assert.equal(sameIntent(read('who should work on'), read('who is working on {ticket}')), false);
  assert.equal(sameIntent(read('how many words can have'), read('how many words does {path} have')), false);
  assert.equal(sameIntent(read('what time can I see'), read('what time is it in {city}')), false);
  assert.deepEqual(read('what time can I see Flow').slice(0, 3), ['what', 'time', 'can']);
  // Asking the one answering, or a way to do it ("how can I"), is no modal question; nor is the month.
  assert.equal(sameIntent(read('what can you tell me about the weather in'), read("what's the weather like in {city}?")), true);
  assert.equal(sameIntent(read('how can I cook'), read('how do I cook {dish}')), true);
  assert.equal(intentOf(read('what is on my calendar in may')).modal, false);
  assert.equal(sameIntent(read('can I see my note'), read('show my note {title}')), true);
});
