// Slots of every type the prompt can carry (text, numbers, values from the tool schema's enum, text or numbers),
// booleans as one reflex per value where the answers differ by it (flags.test.ts: one reflex
// where they do not), and slot-less reflexes (a constant plan), whose guard tries
// real near misses, never the prompt.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReflex } from '../../components/reflexes/runtime.js';
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { nearMisses } from '../../agent/reflex/guard.ts';
import { minePatterns, type ObservedTurn } from '../../agent/reflex/miner.ts';
import { modelTurn, reflexHarness } from './harness.ts';
import { INTENTS, rightAnswer } from './support.ts';

const options = { embedder: localEmbedder, minSupport: 3, similarity: 0.5 };

function turn(id: string, prompt: string, tool: string, args: Record<string, unknown>, result: unknown, answer: string): ObservedTurn {
  return { turnId: id, prompt, calls: [{ tool, args, result: JSON.stringify(result) }], answer };
}

test('a number in the prompt is a number slot: the tool gets a number, and words that are not one are refused', async () => {
  const km = (miles: number) => ({ km: Math.round(miles * 160.934) / 100 });
  const turns = [10, 25, 3].map((miles, i) =>
    turn(`n${i}`, `convert ${miles} miles to km`, 'convert', { miles }, km(miles), `${miles} miles is ${km(miles).km} km.`),
  );
  const [pattern] = await minePatterns(turns, options);
  assert.equal(pattern.skipped, undefined, pattern.skipped);
  assert.deepEqual(pattern.spec.calls[0].args.miles, { slot: 'miles', form: 'same', type: 'number' });
  const inputs: unknown[] = [];
  const reflex = createReflex({ ...pattern.spec, name: 'convert', description: '' }, (_, input) => {
    const args = JSON.parse(input) as { miles: number };
    inputs.push(args.miles);
    return JSON.stringify(km(args.miles));
  });
  assert.equal(reflex.execute(reflex.match('convert 42 miles to km')!.slotsJson), `42 miles is ${km(42).km} km.`);
  assert.deepEqual(inputs, [42]);
  // Words are not written like the numbers it learned from: no match; and execute refuses them anyway.
  assert.equal(reflex.match('convert ten miles to km'), null);
  assert.throws(() => reflex.execute(JSON.stringify({ miles: 'ten' })), /not a number/);
});

test('a slot learned from numbers answers the same phrasing with a number of another digit count, and refuses values of another kind', async () => {
  // The soak's turns: "message 1".."message 3" echoed; the reflex serves from turn 300 on.
  const turns: ObservedTurn[] = [1, 2, 3].map((n) => ({ turnId: `m${n}`, prompt: `message ${n}`, calls: [], answer: `echo: message ${n}` }));
  const [pattern] = await minePatterns(turns, options);
  assert.equal(pattern.skipped, undefined, pattern.skipped);
  const reflex = createReflex({ ...pattern.spec, name: 'echo', description: '' }, () => '');
  for (const n of ['7', '42', '300', '9999', '10000']) assert.equal(reflex.execute(reflex.match(`message ${n}`)!.slotsJson), `echo: message ${n}`, n);
  // A sign, a currency, a percent, a time, a date, a version, a phone number or a code says more than a number.
  for (const value of ['$5', '€5', '5$', '10%', '-5', '#5', '10:30', '3pm', '2026-12-06', '1.2.3', '2.5', '555-1234', '5551234', 'A12', '0042'])
    assert.equal(reflex.match(`message ${value}`), null, value);
});

test("a number slot takes other digit counts, and a decimal only where the tool's schema type is number", async () => {
  const km = (miles: number) => ({ km: Math.round(miles * 160.934) / 100 });
  const turns = [10, 25, 3].map((miles, i) =>
    turn(`n${i}`, `convert ${miles} miles to km`, 'convert', { miles }, km(miles), `${miles} miles is ${km(miles).km} km.`),
  );
  for (const type of ['integer', 'number']) {
    const schemas = { convert: { type: 'object', properties: { miles: { type } } } };
    const [pattern] = await minePatterns(turns, { ...options, schemas });
    assert.deepEqual(pattern.spec.calls[0].args.miles, { slot: 'miles', form: 'same', type: 'number', schema: type });
    const reflex = createReflex({ ...pattern.spec, name: 'convert', description: '' }, (_, input) =>
      JSON.stringify(km((JSON.parse(input) as { miles: number }).miles)),
    );
    for (const miles of [1500, 120000])
      assert.equal(reflex.execute(reflex.match(`convert ${miles} miles to km`)!.slotsJson), `${miles} miles is ${km(miles).km} km.`);
    const decimal = reflex.match('convert 2.5 miles to km');
    if (type === 'integer') {
      assert.equal(decimal, null);
      assert.throws(() => reflex.execute(JSON.stringify({ miles: '2.5' })), /not a whole number/);
    } else assert.equal(reflex.execute(decimal!.slotsJson), `2.5 miles is ${km(2.5).km} km.`);
    for (const value of ['$5', '5%', '10:30', '-5', '5551234']) assert.equal(reflex.match(`convert ${value} miles to km`), null, value);
  }
});

test("a value from the tool schema's enum is a slot limited to the enum", async () => {
  const rate = (code: string) => ({ code, usd: { EUR: 1.08, GBP: 1.27, CHF: 1.13 }[code] });
  const turns = ['EUR', 'GBP', 'CHF'].map((code, i) =>
    turn(`e${i}`, `exchange rate of ${code}`, 'fx', { code }, rate(code), `1 ${code} is ${rate(code).usd} USD.`),
  );
  const schemas = { fx: { type: 'object', properties: { code: { type: 'string', enum: ['EUR', 'GBP', 'CHF', 'JPY'] } } } };
  const [pattern] = await minePatterns(turns, { ...options, schemas });
  assert.deepEqual(pattern.spec.calls[0].args.code, { slot: 'code', form: 'same', oneOf: ['EUR', 'GBP', 'CHF', 'JPY'] });
  const reflex = createReflex({ ...pattern.spec, name: 'fx', description: '' }, () => JSON.stringify({ code: 'JPY', usd: 0.0067 }));
  assert.equal(reflex.execute(reflex.match('exchange rate of JPY')!.slotsJson), '1 JPY is 0.0067 USD.');
  // A value the schema does not list is no match: the model answers "exchange rate of XYZ".
  assert.equal(reflex.match('exchange rate of XYZ'), null);
  assert.throws(() => reflex.execute(JSON.stringify({ code: 'XYZ' })), /not one of/);
});

test("a number from the tool schema's enum is a number slot limited to the enum", async () => {
  const volume = (level: number) => ({ level, ok: true });
  const turns = [2, 5, 1].map((level, i) => turn(`v${i}`, `set the fan to level ${level}`, 'fan', { level }, volume(level), `The fan is at level ${level}.`));
  const schemas = { fan: { type: 'object', properties: { level: { type: 'integer', enum: [1, 2, 3, 4, 5] } } } };
  const [pattern] = await minePatterns(turns, { ...options, schemas });
  assert.equal(pattern.skipped, undefined, pattern.skipped);
  assert.deepEqual(pattern.spec.calls[0].args.level, { slot: 'level', form: 'same', type: 'number', schema: 'integer', oneOf: [1, 2, 3, 4, 5] });
  const inputs: unknown[] = [];
  const reflex = createReflex({ ...pattern.spec, name: 'fan', description: '' }, (_, input) => {
    inputs.push(JSON.parse(input));
    return JSON.stringify(volume((JSON.parse(input) as { level: number }).level));
  });
  assert.equal(reflex.execute(reflex.match('set the fan to level 3')!.slotsJson), 'The fan is at level 3.');
  assert.deepEqual(inputs, [{ level: 3 }]);
  // A level the schema does not list is the model's to answer ("there is no level 9"), never a call with 9.
  assert.equal(reflex.match('set the fan to level 9'), null);
  assert.equal(reflex.match('set the fan to level 30'), null);
  assert.throws(() => reflex.execute(JSON.stringify({ level: '9' })), /not one of/);
});

test('a boolean argument whose answers differ by value: one reflex per value, the word that says it required, and neither answers the other', async () => {
  const turns: ObservedTurn[] = [];
  for (const [i, app] of ['mail', 'chat', 'calendar'].entries()) {
    turns.push(turn(`on${i}`, `turn ${app} notifications on`, 'notify', { app, enabled: true }, { app, enabled: true }, `Notifications for ${app} are on.`));
    turns.push(
      turn(`off${i}`, `turn ${app} notifications off`, 'notify', { app, enabled: false }, { app, enabled: false }, `Notifications for ${app} are off.`),
    );
  }
  const schemas = { notify: { type: 'object', properties: { app: { type: 'string' }, enabled: { type: 'boolean' } } } };
  const patterns = await minePatterns(turns, { ...options, schemas });
  assert.deepEqual(
    patterns.map((p) => [p.skipped, p.spec.calls[0].args.enabled, p.spec.core]),
    [
      [undefined, { value: true }, ['notification', 'on', 'turn']],
      [undefined, { value: false }, ['notification', 'off', 'turn']],
    ],
  );
  const [on, off] = patterns.map((p) => createReflex({ ...p.spec, name: 'notify', description: '' }, (_, input) => input));
  assert.equal(on.execute(on.match('turn news notifications on')!.slotsJson), 'Notifications for news are on.');
  assert.equal(off.execute(off.match('turn news notifications off')!.slotsJson), 'Notifications for news are off.');
  assert.equal(on.match('turn news notifications off'), null);
  assert.equal(off.match('turn news notifications on'), null);
});

test('a slot-less request becomes a reflex; its near misses are other verbs, objects, tenses, negations and compounds, never itself', async () => {
  const builds = [
    { status: 'passing', failed: 0 },
    { status: 'failing', failed: 3 },
    { status: 'passing', failed: 0 },
  ];
  const turns = builds.map((b, i) => turn(`b${i}`, "what's the build status", 'ci', {}, b, `The build is ${b.status} with ${b.failed} failed tests.`));
  const [pattern] = await minePatterns(turns, options);
  assert.equal(pattern.skipped, undefined, pattern.skipped);
  assert.deepEqual(pattern.spec.slots, []);
  const reflex = createReflex({ ...pattern.spec, name: 'ci', description: '' }, () => JSON.stringify({ status: 'failing', failed: 7 }));
  assert.equal(reflex.execute(reflex.match("what's the build status?")!.slotsJson), 'The build is failing with 7 failed tests.');
  const misses = nearMisses(pattern.spec);
  for (const expected of [
    "don't tell me what's the build status",
    'what was the build status',
    "what's the build invoice",
    "what's the build status and delete it",
    'delete the build status',
  ]) {
    assert.ok(
      misses.some((m) => m.replace(/’/g, "'") === expected || m === expected),
      `near misses include "${expected}": ${JSON.stringify(misses)}`,
    );
  }
  assert.ok(!misses.some((m) => m.toLowerCase().replace(/[?!.]/g, '') === "what's the build status"), 'the prompt itself is no near miss');
  for (const prompt of misses) {
    const match = reflex.match(prompt);
    assert.ok(!match || match.confidence < 0.8, `"${prompt}" matched`);
  }
});

test('end to end: a request with a constant plan is compiled, passes its guard and is answered without the model', async (t) => {
  const stock = INTENTS.find((i) => i.id === 'stock')!;
  const h = await reflexHarness(t);
  const thread = (await h.agent.createThread('ada')).id;
  for (let i = 0; i < 3; i++) {
    h.steps.push(...modelTurn(stock, 'AAPL'));
    await h.ask(thread, 'how is apple stock doing');
  }
  await h.reflexes.mine();
  const [record] = h.reflexes.list();
  assert.equal(record?.state, 'serving', record?.reason ?? 'no reflex');
  const calls = h.model.requests.length;
  assert.equal((await h.ask(thread, 'how is apple stock doing?')).text, rightAnswer(stock, 'AAPL').answer);
  assert.equal(h.model.requests.length, calls);
});
