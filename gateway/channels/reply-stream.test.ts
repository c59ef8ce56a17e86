// How a growing answer is shown: split at line or word breaks under the platform's limit, updates
// that come faster than the edit interval merged into one edit, and the final text always shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplyStream, splitText } from './reply-stream.ts';

function recorder() {
  const calls: Array<[string, string, number]> = [];
  let id = 0;
  return {
    calls,
    target: {
      async send(text: string, part: number) {
        calls.push(['send', text, part]);
        return String(++id);
      },
      async edit(messageId: string, text: string, part: number) {
        calls.push([`edit ${messageId}`, text, part]);
      },
    },
  };
}

test('text is split under the limit at a break, and the pieces rebuild it', () => {
  const text = `${'alpha '.repeat(30)}\n${'beta '.repeat(30)}`;
  const pieces = splitText(text, 100);
  assert.ok(pieces.every((p) => p.length <= 100));
  assert.equal(pieces.join(''), text);
  assert.ok(pieces[0].endsWith(' '), 'split after a space, not inside a word');
  assert.deepEqual(splitText('short', 100), ['short']);
  assert.equal(splitText('😀'.repeat(150), 100).length, 2, 'never inside a surrogate pair');
});

test('updates arriving together become one message; the final text edits it', async () => {
  const { calls, target } = recorder();
  const stream = new ReplyStream(target, { maxChars: 4096, canEdit: true, intervalMs: 50 });
  let text = '';
  for (const word of ['one ', 'two ', 'three ']) stream.update((text += word));
  while (calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
  await stream.finish(`${text}four`);
  assert.deepEqual(calls, [
    ['send', 'one two three ', 0],
    ['edit 1', 'one two three four', 0],
  ]);
});

test('without edits only the final text is sent, in as many messages as the limit needs', async () => {
  const { calls, target } = recorder();
  const stream = new ReplyStream(target, { maxChars: 12, canEdit: false, intervalMs: 0 }, 1);
  stream.update('partial');
  await new Promise((resolve) => setTimeout(resolve, 5));
  await stream.finish('alpha beta gamma delta');
  assert.deepEqual(calls, [
    ['send', 'alpha beta ', 1],
    ['send', 'gamma delta', 2],
  ]);
});
