// /reflex in the REPL: the list, the marker under a reflex answer, and "/reflex model".
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { Repl } from '../../bin/repl.ts';
import { learnWeather, modelTurn, reflexHarness } from './harness.ts';
import { INTENTS, rightAnswer } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

test('/reflex lists reflexes, a reflex answer is marked, /reflex model asks the model and counts against it', async (t) => {
  const h = await reflexHarness(t);
  await learnWeather(h, (await h.agent.createThread('ada')).id, weather);
  const [record] = h.reflexes.list();
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const repl = new Repl({ kernel: h.kernel, agent: h.agent, userId: 'ada', input, output });
  repl.start();
  t.after(async () => {
    input.end();
    await repl.closed;
  });
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 400 && !pattern.test(screen); i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(screen, pattern);
  };
  input.write('/reflex\n');
  await waitFor(new RegExp(`${record.name}@1\\.0\\.0 serving {2}hits 0`));
  input.write('weather in Oslo\n');
  await waitFor(new RegExp(`\\[reflex ${record.name}@1\\.0\\.0, no model call; /reflex model asks the model\\]`));
  await waitFor(new RegExp(rightAnswer(weather, 'Oslo').answer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  h.steps.push(...modelTurn(weather, 'Oslo'));
  const calls = h.model.requests.length;
  input.write('/reflex model\n');
  await waitFor(new RegExp(`counted against ${record.name}; asking the model`));
  await waitFor(/> $/);
  for (let i = 0; i < 200 && h.model.requests.length < calls + 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(h.model.requests.length, calls + 2);
  assert.equal(h.reflexes.get(record.name).rejections, 1);
});
