// The chat's transcript from turn events: the answer streams into one entry, a tool card keeps only
// the tail of a long output, an approval is answered once, and a reflex answer is marked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TurnEvent } from '../../agent/api.ts';
import type { TurnEventBody } from '../../agent/loop/turn-events.ts';
import { apply, emptyTranscript, TOOL_OUTPUT_TAIL } from './transcript.ts';

let seq = 0;
const event = (body: TurnEventBody, turnId = 't1'): TurnEvent => ({ ...body, threadId: 'th', turnId, seq: seq++, at: 0 }) as TurnEvent;

test('a turn folds into one answer, a tool card with its output tail, and an approval answered once', () => {
  const t = emptyTranscript();
  apply(t, event({ type: 'turn.started', userMessageId: 'm1' }));
  assert.equal(t.turnId, 't1');
  apply(t, event({ type: 'text', text: 'Let me ' }));
  apply(t, event({ type: 'text', text: 'check.' }));
  apply(t, event({ type: 'approval.needed', approvalId: 'a1', callId: 'c1', name: 'shell', arguments: { command: 'make test' }, expiresAt: 1 }));
  assert.deepEqual(t.approval, { approvalId: 'a1', name: 'shell' });
  apply(t, event({ type: 'approval.decided', approvalId: 'a1', decision: 'approved', by: 'ada' }));
  assert.equal(t.approval, undefined);
  apply(t, event({ type: 'tool.started', callId: 'c1', name: 'shell', arguments: { command: 'make test' }, early: false }));
  apply(t, event({ type: 'tool.output', callId: 'c1', stream: 'stdout', text: 'x'.repeat(TOOL_OUTPUT_TAIL) }));
  apply(t, event({ type: 'tool.output', callId: 'c1', stream: 'stdout', text: 'tests passed' }));
  apply(t, event({ type: 'tool.completed', callId: 'c1', name: 'shell', ok: true }));
  apply(t, event({ type: 'text', text: 'All green.' }));
  apply(t, event({ type: 'turn.completed', stopReason: 'stop', from: 'model' }));
  assert.equal(t.turnId, undefined);
  assert.deepEqual(
    t.entries.map((e) => e.kind),
    ['answer', 'approval', 'tool', 'answer'],
  );
  const [first, approval, tool, last] = t.entries;
  assert.equal(first.kind === 'answer' && first.text, 'Let me check.');
  assert.equal(approval.kind === 'approval' && approval.decision, 'approved by ada');
  assert.ok(tool.kind === 'tool' && tool.card.state === 'done' && tool.card.output.length === TOOL_OUTPUT_TAIL && tool.card.output.endsWith('tests passed'));
  assert.equal(last.kind === 'answer' && last.text, 'All green.');
});

test('an answer given without the model is marked, and a failed turn leaves a coded note', () => {
  const t = emptyTranscript();
  apply(
    t,
    event({ type: 'answer.source', source: 'reflex', marker: 'reflex/weather@1.0.0', reflex: { name: 'weather', version: '1.0.0', confidence: 1 } }, 't2'),
  );
  apply(t, event({ type: 'text', text: 'Sunny in Paris.' }, 't2'));
  assert.equal(t.lastFast, 't2');
  const [answer] = t.entries;
  assert.ok(answer.kind === 'answer' && answer.source === 'reflex weather@1.0.0, no model call' && answer.text === 'Sunny in Paris.');
  apply(t, event({ type: 'turn.failed', code: 'TITAN_E_PROVIDER_UNAVAILABLE', message: 'no model answers' }, 't3'));
  assert.deepEqual(t.entries.at(-1), { kind: 'note', text: 'TITAN_E_PROVIDER_UNAVAILABLE: no model answers', tone: 'error' });
});
