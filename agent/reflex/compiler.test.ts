// The generated guest source: the runtime with every file it imports inlined once, in an order
// where each file's top-level values exist before they are read, runs as one script and matches
// as the host-side runtime does (a file missing from it, or a name declared twice, would make every
// generated reflex throw or fail to build).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReflex, type ReflexExport, type ReflexSpec } from '../../components/reflexes/runtime.js';
import { generateSource } from './compiler.ts';

const SPEC: ReflexSpec = {
  name: 'weather',
  description: 'weather in a city',
  slots: ['city'],
  templates: [
    ['weather', 'in', '{city}'],
    ['what', 'is', 'the', 'weather', 'like', 'in', '{city}'],
  ],
  core: ['in', 'weather'],
  vocab: ['in', 'is', 'like', 'the', 'weather', 'what'],
  maxSlotWords: 2,
  seenSlotWords: 1,
  slotShapes: { city: ['title'] },
  calls: [{ tool: 'weather', args: { city: { slot: 'city', form: 'same' } } }],
  answer: [{ text: 'It is ' }, { call: 0, path: ['temp'] }, { text: ' in ' }, { slot: 'city', form: 'same' }, { text: '.' }],
  examples: [
    { prompt: 'weather in Paris', slots: { city: 'Paris' } },
    { prompt: 'what is the weather like in Berlin', slots: { city: 'Berlin' } },
  ],
  provenance: { turns: ['a', 'b'], key: 'k' },
};

/** The generated source run as a plain script, its tool import given as a function. */
async function generated(invoke: (tool: string, input: string) => string): Promise<ReflexExport> {
  const source = await generateSource(SPEC);
  assert.doesNotMatch(source.replace(/^import \{ invoke \} from 'titan:host\/tools@[\d.]+';$/m, ''), /^import /m, 'every runtime import is inlined');
  // As a function body: the module's own exports (the guest's reflex, the host's executeOnHost) as plain declarations.
  const body = source
    .replace(/^import \{ invoke \} from .*$/m, '')
    .replace(/^export async function /gm, 'async function ')
    .replace('export const reflex =', 'return');
  return new Function('invoke', body)(invoke) as ReflexExport;
}

test('the generated source runs as one script and matches as the runtime does', async () => {
  const tool = () => JSON.stringify({ temp: 21 });
  const guest = await generated(tool);
  const host = createReflex(SPEC, tool);
  for (const prompt of [
    'weather in Paris',
    'weather in Osaka please',
    'Osaka weather?',
    'weather in Osaka tomorrow',
    'show my notes',
    'weather in Hobart Tasmania',
  ])
    assert.deepEqual(guest.match(prompt), host.match(prompt), prompt);
  assert.equal(guest.execute(guest.match('weather in Osaka')!.slotsJson), 'It is 21 in Osaka.');
  guest.smoke();
});
