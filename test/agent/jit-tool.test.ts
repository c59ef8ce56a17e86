// The model's `jit` tool: listed for the model with owner approval, it runs the model's function
// body through the kernel's JIT runtime and answers its output; a refused grant stays refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JitTool } from '../../agent/jit/tool.ts';
import { builtin, kernelFor, rejectsWithCode } from '../support/fixtures.ts';

test('the jit tool runs what the model wrote, asks the owner first, and reaches only granted tools', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const tool = new JitTool(kernel);
  const [info] = tool.tools();
  assert.deepEqual([info.name, info.needsApproval, tool.owns('jit'), tool.owns('echo')], ['jit', true, true, false]);
  const answer = JSON.parse(
    await tool.invoke('jit', JSON.stringify({ source: 'return input.split(",").map(Number).reduce((a, b) => a + b, 0);', input: '1,2,3' })),
  );
  assert.equal(answer.output, 6);
  const granted = { source: "return tools.call('echo', { text: 'via echo' }).text;", grant: ['echo'] };
  assert.equal(JSON.parse(await tool.invoke('jit', JSON.stringify(granted))).output, 'via echo');
  await rejectsWithCode(tool.invoke('jit', JSON.stringify({ ...granted, grant: [] })), 'TITAN_E_JIT_CAPABILITY');
});
