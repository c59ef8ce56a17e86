// Inlining the reflex runtime into one script: a top-level name two files both declare is refused
// with both files and the name, and the runtime as it stands inlines without one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inlinedRuntime, inlineFiles, topLevelNames } from './inline-runtime.ts';

test('two runtime files declaring the same top-level name are refused, naming both files and the name', () => {
  const files = [
    { file: 'words.js', text: "export const FILLERS = new Set(['um']);\nexport function words(text) {\n  const FILLERS = 1;\n  return text.split(' ');\n}\n" },
    { file: 'bag.js', text: "import { words } from './words.js';\nfunction FILLERS() {\n  return words('a b');\n}\n" },
  ];
  assert.throws(
    () => inlineFiles(files),
    (error: Error & { code?: string }) =>
      error.code === 'TITAN_E_BUILD_FAILED' &&
      /"FILLERS"/.test(error.message) &&
      /reflexes\/words\.js/.test(error.message) &&
      /reflexes\/bag\.js/.test(error.message),
  );
});

test('names declared inside a function, and imports, are not top-level names', () => {
  const text =
    "import { words } from './words.js';\nexport async function run(x) {\n  const inner = 1;\n  let other;\n  return inner;\n}\nlet last;\nclass Bag {}\n";
  assert.deepEqual(topLevelNames(text), ['run', 'last', 'Bag']);
});

test('the runtime as it stands inlines into one script with no import left', async () => {
  const runtime = await inlinedRuntime();
  assert.doesNotMatch(runtime, /^import /m);
  assert.match(runtime, /^function createReflex\(/m);
});
