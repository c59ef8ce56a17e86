// A turn a reflex answers is stored as a model turn ends: its answer (marked with its source), its
// events and its completion in one store write, all there when the turn reports done; and the
// answer's time by part goes to whoever listens on titan:reflex.answer (the benchmark).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerTimings, type AnswerTimings } from '../../agent/reflex/answer-timings.ts';
import { learnWeather, reflexHarness } from './harness.ts';
import { INTENTS, rightAnswer } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

test('a reflex answer is one store write: answer, events and completion, all stored when the turn is done', async (t) => {
  const h = await reflexHarness(t);
  const thread = (await h.agent.createThread('ada')).id;
  await learnWeather(h, thread, weather);
  assert.equal(h.reflexes.list()[0]?.state, 'serving', h.reflexes.list()[0]?.reason ?? 'no reflex');

  const ops: string[] = [];
  const call = h.kernel.call.bind(h.kernel);
  h.kernel.call = (kind, name, fn, args, options) => {
    if (kind === 'store') ops.push(String(args[0]));
    return call(kind, name, fn, args, options);
  };
  const timings: AnswerTimings[] = [];
  const listen = (message: unknown) => timings.push(message as AnswerTimings);
  answerTimings.subscribe(listen);
  t.after(() => answerTimings.unsubscribe(listen));

  const answered = await h.ask(thread, 'weather in Oslo');
  assert.equal(answered.text, rightAnswer(weather, 'Oslo').answer);
  assert.equal(h.reflexes.answeredBy(answered.turnId)?.source, 'reflex');

  // After the user's message (turns.begin), the answered turn writes once (on a slow machine its
  // turn.started event may have gone out before, with the event log's 50 ms batch).
  const writes = ops.slice(ops.indexOf('turns.begin') + 1).filter((op) => !/\.(get|list)$/.test(op) && op !== 'events.append');
  assert.deepEqual(writes, ['turns.end'], `the answered turn's writes: ${writes.join(', ')}`);
  const stored = await h.kernel.store.op('events.list', { turnId: answered.turnId });
  assert.deepEqual(
    stored.map((e) => e.type),
    ['turn.started', 'answer.source', 'text', 'turn.completed'],
  );
  assert.equal((await h.kernel.store.op('turns.get', { id: answered.turnId })).state, 'completed');
  assert.match((await h.kernel.store.listMessages(thread)).at(-1)?.source ?? '', /^reflex:/);

  // The fast path's parts and the turn's, for this turn.
  const parts = Object.assign({}, ...timings.filter((m) => m.turnId === answered.turnId).map((m) => m.parts));
  for (const part of ['match', 'tools', 'inputs and render', 'after the hit', 'events', 'store']) {
    assert.ok(parts[part] >= 0, `the part "${part}" was timed`);
  }
});
