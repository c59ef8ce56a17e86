// A reflex in service: "ask the model instead" goes to the model and counts against it; enough
// rejections, a new version of a tool it calls, or a background check where the model disagrees
// suspend it, and suspended it answers nothing. Without reflexes.autoApprove it waits for a human.
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { publishComponent } from '../../kernel/publish.ts';
import { buildComponent } from '../../toolchain/build.ts';
import { TEST_CACHE } from '../support/kernel.ts';
import { learnWeather, modelTurn, reflexHarness, TOOL_FIXTURES, type Harness } from './harness.ts';
import { INTENTS, rightAnswer } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

async function servingReflex(h: Harness, thread: string) {
  await learnWeather(h, thread, weather);
  const [record] = h.reflexes.list();
  assert.equal(record?.state, 'serving', record?.reason ?? 'no reflex');
  return record;
}

test('"ask the model instead" re-asks the model in the same thread and counts against the reflex; two rejections suspend it', async (t) => {
  const h = await reflexHarness(t);
  const thread = (await h.agent.createThread('ada')).id;
  const record = await servingReflex(h, thread);
  for (const [round, city] of ['Oslo', 'Vienna'].entries()) {
    const fast = await h.ask(thread, `weather in ${city}`);
    assert.equal(fast.text, rightAnswer(weather, city).answer);
    h.steps.push(...modelTurn(weather, city));
    const calls = h.model.requests.length;
    const again = await h.reflexes.askModelInstead(h.agent, 'ada', fast.turnId);
    assert.equal(again.rejected, record.name);
    const run = h.agent.running().find((r) => r.turnId === again.turnId);
    await run?.done;
    assert.ok(h.model.requests.length > calls, 'the model answered');
    assert.equal(h.reflexes.get(record.name).rejections, round + 1);
  }
  assert.equal(h.reflexes.get(record.name).state, 'suspended');
  assert.match(h.reflexes.get(record.name).reason ?? '', /asked the model instead 2 times/);
  h.steps.push([
    { type: 'text', text: 'from the model' },
    { type: 'stop', reason: 'end_turn' },
  ]);
  assert.equal((await h.ask(thread, 'weather in Lisbon')).text, 'from the model');
  // Only answers that came from a reflex can be rejected.
  const modelTurnId = h.events.filter((e) => e.type === 'turn.completed' && e.from === 'model').at(-1)!.turnId;
  await assert.rejects(h.reflexes.askModelInstead(h.agent, 'ada', modelTurnId), { code: 'TITAN_E_NOT_FAST_ANSWER' });
  // Resumed by hand, it answers again.
  await h.reflexes.resume(record.name);
  assert.equal((await h.ask(thread, 'weather in Prague')).text, rightAnswer(weather, 'Prague').answer);
});

test('a new version of a tool the reflex calls suspends it', async (t) => {
  const h = await reflexHarness(t);
  const record = await servingReflex(h, (await h.agent.createThread('ada')).id);
  const dir = path.join(h.home, 'weather-1.0.1');
  await cp(path.join(TOOL_FIXTURES, 'weather'), dir, { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(dir, 'component.json'), 'utf8'));
  await writeFile(path.join(dir, 'component.json'), JSON.stringify({ ...manifest, version: '1.0.1' }));
  // The copy has the shared tools.js inlined (a build reads modules inside its folder only).
  const shared = (await readFile(path.join(TOOL_FIXTURES, '..', 'tools.js'), 'utf8')).replace(/^export /gm, '');
  const source = (await readFile(path.join(dir, 'weather.js'), 'utf8')).replace(/^import .*$/m, shared);
  await writeFile(path.join(dir, 'weather.js'), source.replace('The current weather', 'The weather now'));
  const published = await publishComponent(h.kernel, await buildComponent(dir, { cacheDir: TEST_CACHE }));
  await h.kernel.deployManifest(published);
  await until(() => h.reflexes.get(record.name).state === 'suspended', 'suspended');
  assert.match(h.reflexes.get(record.name).reason ?? '', /tool weather changed version \(now 1\.0\.1\)/);
  assert.equal(h.reflexes.get(record.name).suspensions, 1);
});

test('a background check where the model disagrees suspends the reflex', async (t) => {
  const h = await reflexHarness(t, { reflexes: { checkRate: 1 } });
  const thread = (await h.agent.createThread('ada')).id;
  const record = await servingReflex(h, thread);
  // The model, asked in the background, says something else about Oslo.
  h.steps.push([
    { type: 'text', text: 'It is 40 °C and stormy in Oslo.' },
    { type: 'stop', reason: 'end_turn' },
  ]);
  const fast = await h.ask(thread, 'weather in Oslo');
  assert.equal(fast.text, rightAnswer(weather, 'Oslo').answer);
  await until(() => h.reflexes.get(record.name).state === 'suspended', 'suspended after the check');
  assert.match(h.reflexes.get(record.name).reason ?? '', /the model answered "It is 40 °C and stormy in Oslo\."/);
  assert.equal(h.reflexes.counters.disagreements, 1);
});

test('a background check where the model agrees leaves the reflex serving', async (t) => {
  const h = await reflexHarness(t, { reflexes: { checkRate: 1 } });
  const thread = (await h.agent.createThread('ada')).id;
  const record = await servingReflex(h, thread);
  h.steps.push(...modelTurn(weather, 'Oslo'));
  await h.ask(thread, 'weather in Oslo');
  await until(() => h.reflexes.counters.checks === 1, 'checked');
  assert.equal(h.reflexes.get(record.name).state, 'serving');
});

test('without reflexes.autoApprove the reflex waits for a human; approving its patch deploys it', async (t) => {
  const h = await reflexHarness(t, { reflexes: { autoApprove: false } });
  const thread = (await h.agent.createThread('ada')).id;
  await learnWeather(h, thread, weather);
  const [record] = h.reflexes.list();
  assert.equal(record.state, 'awaiting_approval');
  const patch = h.kernel.patches.list().find((p) => p.slot === `reflex/${record.name}`)!;
  assert.equal(patch.state, 'proposed');
  h.steps.push([
    { type: 'text', text: 'still the model' },
    { type: 'stop', reason: 'end_turn' },
  ]);
  assert.equal((await h.ask(thread, 'weather in Oslo')).text, 'still the model');
  await h.kernel.approvePatch(patch.id, { by: 'ada' });
  await until(() => h.reflexes.get(record.name).state === 'serving', 'serving after approval');
  assert.equal((await h.ask(thread, 'weather in Oslo')).text, rightAnswer(weather, 'Oslo').answer);
});
