// The guard's near misses read as a person would write them and mean something else: a negation
// is added once or taken away (never "don't don't"), another act, object, time or tense, a second
// request, the request without its value; never the prompt itself or a rewording of it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { words } from '../../components/reflexes/runtime.js';
import { nearMisses } from './near-misses.ts';

const of = (prompt: string, slots: Record<string, string> = {}) => nearMisses({ examples: [{ prompt, slots }] });

function includes(misses: string[], ...expected: string[]) {
  for (const e of expected) assert.ok(misses.includes(e), `"${e}" among ${JSON.stringify(misses, null, 1)}`);
}

test('an order is negated with "don\'t"; an order that is negated has its negation taken away, never doubled', () => {
  includes(of('show my note todo', { title: 'todo' }), "don't show my note todo");
  const negated = of("don't show my note todo", { title: 'todo' });
  includes(negated, 'show my note todo');
  includes(of('do not show my note todo', { title: 'todo' }), 'show my note todo');
  includes(of('can you show my note todo', { title: 'todo' }), 'can you not show my note todo');
  for (const m of [...negated, ...of('dont show my note todo', { title: 'todo' })]) assert.doesNotMatch(m, /\b(don'?t|do not)\b.*\b(don'?t|not)\b/i, m);
});

test("contracted negations are turned by their auxiliary: isn't, won't, doesn't", () => {
  includes(of("isn't the build passing?"), 'is the build passing');
  includes(of('is the build passing'), "isn't the build passing", 'was the build passing');
  includes(of("why won't my laptop charge"), 'why will my laptop charge');
  includes(of("why doesn't my note todo open", { title: 'todo' }), 'why does my note todo open', "why didn't my note todo open");
  includes(of('show my notes without archived ones'), 'show my notes with archived ones');
});

test('questions: negated by asking not to be told, another act on the thing asked about, its past', () => {
  const misses = of("what's the weather like in Berlin?", { city: 'Berlin' });
  includes(
    misses,
    "don't tell me what's the weather like in Berlin",
    'delete the weather in Berlin',
    "what's the average weather like in Berlin",
    'what was the weather like in Berlin',
    "what's the weather like in Berlin tomorrow",
    "what's the weather like in Berlin, then email it to Bob",
    "what's the weather like",
  );
  includes(of('what does my note books say?', { title: 'books' }), 'what did my note books say', 'what does my note say', 'what does my invoice books say');
});

test('a time said is swapped for another, never stacked; a value that is a day takes no second time', () => {
  const now = of("what's the weather in Madrid right now?", { city: 'Madrid' });
  includes(now, "what's the weather in Madrid tomorrow");
  assert.ok(!now.some((m) => /right now.*(tomorrow|yesterday)|was .*right now/.test(m)), JSON.stringify(now));
  includes(of('weather in Oslo tomorrow', { city: 'Oslo' }), 'weather in Oslo yesterday');
  const day = of('what do I have on monday', { day: 'monday' });
  includes(day, 'what did I have on monday');
  assert.ok(!day.some((m) => /monday (tomorrow|yesterday|last week)/.test(m)), JSON.stringify(day));
});

test('a slot-less request: real near misses, none of them the request itself', () => {
  const misses = of("what's the build status");
  includes(
    misses,
    "don't tell me what's the build status",
    'delete the build status',
    "what's the build invoice",
    "what's the average build status",
    'what was the build status',
    "what's the build status and delete it",
  );
  assert.ok(misses.length >= 8);
});

test('without its value the request still reads, or is not made; no near miss rewords the prompt', () => {
  includes(of('weather in Paris', { city: 'Paris' }), "don't tell me the weather in Paris", 'delete the weather in Paris', 'weather');
  // "the price of stock", "what is trading at": no sentence, so not made.
  assert.ok(!of("what's the price of TSLA stock", { symbol: 'TSLA' }).some((m) => /of stock|price stock/.test(m)));
  assert.ok(!of('what is MSFT trading at', { symbol: 'MSFT' }).some((m) => /is trading/.test(m)));
  const read = (p: string) =>
    words(p)
      .map((t) => t.w)
      .join(' ');
  for (const prompt of ['show me my note todo please', 'what is the build status', 'whats the build status?']) {
    for (const m of nearMisses({
      examples: [
        { prompt, slots: prompt.includes('todo') ? { title: 'todo' } : {} },
        { prompt: 'show my note todo', slots: { title: 'todo' } },
      ],
    })) {
      assert.notEqual(read(m), read(prompt), m);
      assert.notEqual(read(m), read('what is the build status'), m);
      assert.notEqual(read(m), read('show my note todo'), m);
    }
  }
});
