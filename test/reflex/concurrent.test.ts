// Reflex answers at once in several threads: a reflex holds a worker thread while its tool call
// needs another, so four at once once starved the pool until the 30 s limit and suspended the
// reflex; now each is answered by the reflex and it keeps serving.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learnWeather, reflexHarness } from './harness.ts';
import { INTENTS, rightAnswer } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

test('four threads asking a reflex at once are all answered by it, and it keeps serving', async (t) => {
  const h = await reflexHarness(t);
  await learnWeather(h, (await h.agent.createThread('ada')).id, weather);
  const threads = await Promise.all([0, 1, 2, 3].map(() => h.agent.createThread('ada')));
  const requests = h.model.requests.length;
  const answers = await Promise.all(
    threads.map(async (thread, lane) => {
      const out: Array<[string, string]> = [];
      for (let i = 0; i < 5; i++) {
        const city = weather.values[(lane * 5 + i) % weather.values.length];
        out.push([(await h.ask(thread.id, `weather in ${city}`)).text, rightAnswer(weather, city).answer]);
      }
      return out;
    }),
  );
  for (const [got, want] of answers.flat()) assert.equal(got, want);
  assert.equal(h.model.requests.length, requests, 'no model request');
  const [record] = h.reflexes.list();
  assert.deepEqual([record.state, record.misses, record.hits], ['serving', 0, 20]);
});
