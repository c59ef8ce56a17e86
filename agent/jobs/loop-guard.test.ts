// The loop guard ends an agent only on the same answer repeated in a row: the same tool call with
// the same arguments (spacing aside), or the same final text; progress in between resets it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoopGuard } from './loop-guard.ts';

const call = (args: string) => ({ text: '', toolCalls: [{ id: `c${Math.random()}`, name: 'shell', arguments: args }] });

test('the same tool call three times in a row is a loop; other answers in between are not', () => {
  const guard = new LoopGuard(3);
  assert.equal(guard.see(call('{"command":"ls"}')), undefined);
  assert.equal(guard.see(call('{ "command": "ls" }')), undefined, 'the same call, spaced otherwise');
  assert.match(String(guard.see(call('{"command":"ls"}'))), /same answer 3 times in a row \(shell \{"command":"ls"\}\)/);
  const fresh = new LoopGuard(3);
  for (const args of ['{"command":"make"}', '{"command":"vi a"}', '{"command":"make"}', '{"command":"vi b"}', '{"command":"make"}'])
    assert.equal(fresh.see(call(args)), undefined, 'an edit-and-test cycle makes progress');
  assert.match(
    String(fresh.see({ text: 'done', toolCalls: [] }) ?? fresh.see({ text: 'done', toolCalls: [] }) ?? fresh.see({ text: 'done ', toolCalls: [] })),
    /the answer "done"/,
  );
});
