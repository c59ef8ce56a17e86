// The model's hands on the patch queue, over the scripted model: it reads a patch with its
// verification report on its own, but approving it goes through the owner's approval of the call:
// refused, nothing changes; approved, the patch is approved and says so in its history.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Agent, createLlm, startScriptedLlm, type TurnEvent } from '../../agent/api.ts';
import { KernelPatchTool } from '../../agent/services.ts';
import { BUILTINS, kernelFor, publishFixture } from '../support/fixtures.ts';

test('kernel-patch shows a patch and its verification; kernel-patch-decide approves only once the owner allows the call', async (t) => {
  const server = await startScriptedLlm();
  t.after(() => server.close());
  const { kernel, home } = await kernelFor(t, [path.join(BUILTINS, 'stores', 'core'), 'fib-slow', path.join(BUILTINS, 'providers', 'openai')], {
    config: { recordSampleRate: 1 },
  });
  for (let i = 0; i < 24; i++) await kernel.invokeTool('fib', { n: 12 + (i % 4) });
  await publishFixture(kernel, 'fib-fast');
  const patch = await kernel.proposePatch({ kind: 'tool', name: 'fib', range: '1.1.0' }, { by: 'ada', why: 'a faster fib' });
  const id = patch.id.slice(0, 8);

  const llm = createLlm(kernel, {
    providers: [{ name: 'openai', component: 'openai', baseUrl: server.baseUrls.openai, model: 'gpt-test', apiKeyEnv: 'KEY' }],
    env: { KEY: 'sk-test' },
  });
  const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: (request, options) => llm.stream(request, options) });
  await agent.start();
  t.after(() => agent.close());
  agent.tools.addSource(new KernelPatchTool(kernel));
  const call = (name: string, args: Record<string, unknown>) => ({ type: 'tool_call' as const, name, arguments: args });
  server.load({
    name: 'kernel-patch',
    turns: [
      { route: 'openai', match: { lastUserContains: 'how is the fib patch' }, content: [call('kernel-patch', { op: 'show', id })] },
      { route: 'openai', match: { lastMessageContains: 'replayed' }, content: [{ type: 'text', text: 'It passed verification.' }] },
      { route: 'openai', match: { lastUserContains: 'approve it' }, content: [call('kernel-patch-decide', { op: 'approve', id, why: 'the owner asked' })] },
      { route: 'openai', match: { lastMessageContains: 'TITAN_E_APPROVAL_REJECTED' }, content: [{ type: 'text', text: 'Left as it is.' }] },
      { route: 'openai', match: { lastUserContains: 'approve it' }, content: [call('kernel-patch-decide', { op: 'approve', id, why: 'the owner asked' })] },
      { route: 'openai', match: { lastMessageContains: '"state":"approved"' }, content: [{ type: 'text', text: 'Approved.' }] },
    ],
  });
  const events: TurnEvent[] = [];
  kernel.bus.on('turn.event', (e) => events.push(e));
  const thread = await agent.createThread('ada');

  const shown = await agent.send('ada', thread.id, 'how is the fib patch doing?');
  assert.equal((await shown.run.done).state, 'completed');
  const result = events.find((e) => e.type === 'tool.completed' && e.turnId === shown.turnId);
  assert.ok(result && result.type === 'tool.completed' && result.ok, 'reading needs no approval');
  const modelSaw = JSON.stringify(server.timeline().at(-1));
  assert.match(modelSaw, /\\"passed\\":true,\\"replayed\\":24,\\"matched\\":24/, 'the model read the verification report');

  for (const decision of ['rejected', 'approved'] as const) {
    const sent = await agent.send('ada', thread.id, 'approve it');
    const needed = await kernel.bus.once('turn.event', (e) => e.turnId === sent.turnId && e.type === 'approval.needed');
    assert.equal(needed.type === 'approval.needed' && needed.name, 'kernel-patch-decide');
    assert.equal(kernel.patches.get(patch.id).state, 'proposed', 'nothing changed while the owner is asked');
    await agent.decide((needed as { approvalId: string }).approvalId, decision, 'ada');
    assert.equal((await sent.run.done).state, 'completed');
    assert.equal(kernel.patches.get(patch.id).state, decision === 'rejected' ? 'proposed' : 'approved');
  }
  assert.equal(kernel.patches.get(patch.id).history.at(-1)?.by, 'agent (approved by the owner)');
});
