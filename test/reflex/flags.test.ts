// Yes-or-no tool arguments as slots: "show my notes including archived ones" and "show my notes"
// are one reflex whose includeArchived is read from the wording; a request whose wording is unsure
// ("show my archived notes", "... without archived ones", "on and off") is left to the model, and a
// boolean no word tells apart is no reflex at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReflex } from '../../components/reflexes/runtime.js';
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { minePatterns, type ObservedTurn } from '../../agent/reflex/miner.ts';
import { counterfactualPrompts } from '../../agent/reflex/probes.ts';

const options = { embedder: localEmbedder, minSupport: 3, similarity: 0.5 };
const ACTIVE = ['Groceries', 'Trip to Porto', 'Gift ideas'];
const ARCHIVED = ['Old recipes', 'Tax 2024'];

/** A notes tool: every note, archived ones too when asked. */
function listNotes(args: { includeArchived: boolean }) {
  return { notes: [...ACTIVE, ...(args.includeArchived ? ARCHIVED : [])].map((title) => ({ title })) };
}

function notesAnswer(includeArchived: boolean): string {
  const titles = listNotes({ includeArchived }).notes.map((n) => n.title);
  return `You have ${titles.length} notes: ${titles.slice(0, -1).join(', ')} and ${titles.at(-1)}.`;
}

function notesTurn(id: string, prompt: string, includeArchived: boolean): ObservedTurn {
  return {
    turnId: id,
    prompt,
    calls: [{ tool: 'notes', args: { includeArchived }, result: JSON.stringify(listNotes({ includeArchived })) }],
    answer: notesAnswer(includeArchived),
  };
}

const NOTES_TURNS = [
  notesTurn('y1', 'show my notes including archived ones', true),
  notesTurn('n1', 'show my notes', false),
  notesTurn('y2', 'list my notes including the archived ones', true),
  notesTurn('n2', 'list my notes', false),
  notesTurn('y3', 'show all my notes including archived', true),
  notesTurn('n3', 'show me my notes please', false),
];

async function notesReflex() {
  const patterns = (await minePatterns(NOTES_TURNS, options)).filter((p) => !p.skipped);
  assert.equal(patterns.length, 1, JSON.stringify(patterns.map((p) => p.skipped)));
  const inputs: unknown[] = [];
  const spec = { ...patterns[0].spec, name: 'notes', description: '' };
  const reflex = createReflex(spec, (_, input) => {
    inputs.push(JSON.parse(input));
    return JSON.stringify(listNotes(JSON.parse(input)));
  });
  return { spec, reflex, inputs };
}

test('a boolean said by the wording is one reflex: the tool gets true or false as the request says', async () => {
  const { spec, reflex, inputs } = await notesReflex();
  assert.deepEqual(spec.flags, { includeArchived: { yes: ['archived', 'including'], no: [] } });
  assert.deepEqual(spec.calls[0].args.includeArchived, { flag: 'includeArchived' });
  const ask = (prompt: string) => {
    const match = reflex.match(prompt);
    return match && match.confidence >= 0.8 ? reflex.execute(match.slotsJson) : undefined;
  };
  assert.equal(ask('show my notes including archived ones'), notesAnswer(true));
  assert.equal(ask('list my notes including archived ones please'), notesAnswer(true));
  assert.equal(ask('show my notes'), notesAnswer(false));
  assert.equal(ask('list my notes please'), notesAnswer(false));
  assert.deepEqual(
    inputs.map((i) => (i as { includeArchived: boolean }).includeArchived),
    [true, true, false, false],
  );
  reflex.smoke();
});

test('unsure wording is left to the model: half the cue, its negation, or a word the phrasings never used', async () => {
  const { reflex } = await notesReflex();
  for (const prompt of [
    'show my archived notes',
    'show my notes including',
    'show my notes without archived ones',
    "don't show my notes including archived ones",
    'show my notes excluding archived ones',
    'show my notes not including archived ones',
  ]) {
    const match = reflex.match(prompt);
    assert.ok(!match || match.confidence < 0.8, `"${prompt}" matched ${JSON.stringify(match)}`);
  }
  // The tool never gets a flag the request did not say.
  assert.throws(() => reflex.execute('{}'), /does not say whether includeArchived/);
});

test('on/off with one answer form: one reflex, "on" true and "off" false; both at once is unsure', async () => {
  const turns: ObservedTurn[] = [];
  for (const [i, app] of ['mail', 'chat', 'calendar'].entries()) {
    for (const enabled of [true, false]) {
      const word = enabled ? 'on' : 'off';
      turns.push({
        turnId: `${app}-${word}`,
        prompt: i === 1 ? `switch ${app} notifications ${word}` : `turn ${app} notifications ${word}`,
        calls: [{ tool: 'notify', args: { app, enabled }, result: JSON.stringify({ app, ok: true }) }],
        answer: `Done: notifications for ${app} updated.`,
      });
    }
  }
  const [pattern, ...rest] = (await minePatterns(turns, options)).filter((p) => !p.skipped);
  assert.equal(rest.length, 0);
  assert.deepEqual(pattern.spec.flags, { enabled: { yes: ['on'], no: ['off'] } });
  const sent: string[] = [];
  const reflex = createReflex({ ...pattern.spec, name: 'notify', description: '' }, (_, input) => {
    sent.push(input);
    return JSON.stringify({ ok: true });
  });
  reflex.execute(reflex.match('turn news notifications on')!.slotsJson);
  reflex.execute(reflex.match('turn news notifications off')!.slotsJson);
  assert.deepEqual(sent, ['{"app":"news","enabled":true}', '{"app":"news","enabled":false}']);
  assert.equal(reflex.match('turn news notifications on off'), null);
  assert.equal(reflex.match('turn news notifications'), null);
});

test('a boolean no word of the requests tells apart is no reflex, with the reason', async () => {
  // "list" for one value and "show" for the other: chance, not what the request says.
  const turns = [true, false, true, false].map((includeArchived, i) => notesTurn(`r${i}`, i % 2 ? 'show my notes' : 'list my notes', includeArchived));
  const patterns = await minePatterns(turns, options);
  assert.ok(patterns.every((p) => p.skipped !== undefined));
  assert.ok(
    patterns.some((p) => /no word of the requests says whether includeArchived/.test(p.skipped ?? '')),
    JSON.stringify(patterns.map((p) => p.skipped)),
  );
});

test('probes ask each phrasing with the flag turned: the cue taken away where the other value says nothing', async () => {
  const { spec } = await notesReflex();
  const probes = counterfactualPrompts(spec, 4);
  assert.ok(probes.includes('show all my notes'), JSON.stringify(probes));
  // With no value to change, its first request is asked again (the tools' answer of now); every other probe is new.
  assert.equal(probes[0], NOTES_TURNS[0].prompt);
  for (const p of probes.slice(1)) assert.ok(!NOTES_TURNS.some((t) => t.prompt === p), p);
});

test('a boolean the model leaves out when false is the same plan as one it passes: the reflex leaves it out too', async () => {
  // The model calls {} for "show my notes" and {"includeArchived": true} when archived ones are asked for.
  const turns = NOTES_TURNS.map((t) => {
    const includeArchived = (t.calls[0].args as { includeArchived: boolean }).includeArchived;
    return includeArchived ? t : { ...t, calls: [{ ...t.calls[0], args: {} }] };
  });
  const patterns = (await minePatterns(turns, options)).filter((p) => !p.skipped);
  assert.equal(patterns.length, 1, 'one plan, not one per way of saying false');
  assert.deepEqual(patterns[0].spec.calls[0].args.includeArchived, { flag: 'includeArchived', omitWhenFalse: true });
  const inputs: unknown[] = [];
  const reflex = createReflex({ ...patterns[0].spec, name: 'notes', description: '' }, (_, input) => {
    inputs.push(JSON.parse(input));
    return JSON.stringify(listNotes({ includeArchived: (JSON.parse(input) as { includeArchived?: boolean }).includeArchived === true }));
  });
  assert.equal(reflex.execute(reflex.match('show my notes please')!.slotsJson), notesAnswer(false));
  assert.equal(reflex.execute(reflex.match('show my notes including archived ones')!.slotsJson), notesAnswer(true));
  assert.deepEqual(inputs, [{}, { includeArchived: true }]);
  reflex.smoke();
});

test("a boolean left out in every turn of one request and passed in another stays out of the first one's call", async () => {
  const turns: ObservedTurn[] = [
    ...['Groceries', 'Gift ideas', 'Trip to Porto'].map((title, i) => ({
      turnId: `s${i}`,
      prompt: `show my note ${title}`,
      calls: [{ tool: 'notes', args: { title }, result: JSON.stringify({ title, body: 'x' }) }],
      answer: `${title}: x`,
    })),
    ...NOTES_TURNS.filter((t) => (t.calls[0].args as { includeArchived: boolean }).includeArchived),
  ];
  const patterns = (await minePatterns(turns, options)).filter((p) => !p.skipped);
  const note = patterns.find((p) => p.spec.slots.includes('title'));
  assert.ok(note, JSON.stringify(patterns.map((p) => p.spec.calls)));
  assert.deepEqual(note.spec.calls[0].args, { title: { slot: 'title', form: 'same' } });
});
