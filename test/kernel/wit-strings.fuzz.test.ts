// Strings across the WIT boundary under arbitrary input (fast-check): any Unicode text (astral
// characters, combining marks, NUL, escapes, lone surrogates) goes into a component and comes back
// unchanged; input that is not what the component expects ends in a coded error; and the kernel
// answers the next call either way. `npm run fuzz` (TITAN_FUZZ_RUNS) runs more cases.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { TitanError } from '../../common/errors.ts';
import { bootstrapBuiltins, type Kernel } from '../../kernel/api.ts';
import { openTestKernel } from '../support/kernel.ts';

const RUNS = Number(process.env.TITAN_FUZZ_RUNS ?? 40);

let kernel: Kernel;
let cleanup: () => Promise<void>;

before(async () => {
  ({ kernel, cleanup } = await openTestKernel());
  const report = await bootstrapBuiltins(kernel);
  assert.deepEqual(report.failed, []);
});
after(() => cleanup?.());

const echo = async (input: string) => (await kernel.call('tool', 'echo', 'invoke', [input])) as string;

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  // UTF-16 code units at random: lone surrogates included (JSON carries them as \ud800 escapes).
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 64 }).map((units) => String.fromCharCode(...units)),
  fc.constantFrom('\u0000', '\uFEFF', '\u202E', 'é', '👩‍👩‍👧', '\\', '"', '\r\n'),
);

test('any text crosses into a component and back unchanged', { timeout: 600_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(text, async (value) => {
      const answer = JSON.parse(await echo(JSON.stringify({ text: value }))) as { text: string };
      assert.equal(answer.text, value);
    }),
    { numRuns: RUNS * 5 },
  );
});

test('any string as raw input: the component answers or refuses with a coded error, and the kernel keeps answering', { timeout: 600_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(text, fc.json()), async (raw) => {
      try {
        await echo(raw);
      } catch (error) {
        assert.ok(error instanceof TitanError, `threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
        assert.match(error.code, /^TITAN_E_/);
      }
      assert.equal(JSON.parse(await echo('{"text":"still here"}')).text, 'still here');
    }),
    { numRuns: RUNS * 5 },
  );
});
