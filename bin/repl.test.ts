// The terminal channel, driven through its input stream: the answer streams in, tools show their
// output, an approval is answered with "y", /threads and /new work, /interrupt stops a turn.
import assert from 'node:assert/strict';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { Agent } from '../agent/loop/agent.ts';
import { bootstrapBuiltins, Kernel } from '../kernel/api.ts';
import { Repl } from './repl.ts';
import { TEST_CACHE, tempHome } from '../test/support/kernel.ts';
import { scriptedModel, toolCall, type Step } from '../test/support/model-double.ts';
import { deployFixture, publishFixture } from '../test/support/fixtures.ts';

async function session(t: { after(fn: () => Promise<void>): void }, steps: Step[]) {
  const { home, cleanup } = await tempHome('titan-repl-');
  const kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  await bootstrapBuiltins(kernel);
  const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: scriptedModel(steps), guardedTools: ['echo'] });
  await agent.start();
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const repl = new Repl({ kernel, agent, userId: 'ada', input, output });
  repl.start();
  t.after(async () => {
    input.end();
    await repl.closed;
    await agent.close();
    await kernel.close();
    await cleanup();
  });
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 400 && !pattern.test(screen); i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(screen, pattern);
  };
  return { kernel, type: (line: string) => input.write(line + '\n'), screen: () => screen, waitFor };
}

test('a message streams its answer; a guarded tool asks, "y" runs it and its result shows', async (t) => {
  const repl = await session(t, [
    [{ type: 'text', text: 'Echoing' }, { type: 'text', text: ' now.' }, ...toolCall(0, 'c1', 'echo', { text: 'hello' }), { type: 'stop', reason: 'tool_use' }],
    [
      { type: 'text', text: 'It answered hello.' },
      { type: 'stop', reason: 'end_turn' },
    ],
  ]);
  repl.type('please echo hello');
  await repl.waitFor(/Echoing now\./);
  await repl.waitFor(/echo wants to run \{"text":"hello"\}\. Allow\? \[y\/n\]/);
  repl.type('y');
  await repl.waitFor(/approved: echo runs/);
  await repl.waitFor(/\[echo done\]/);
  await repl.waitFor(/It answered hello\./);
  repl.type('/threads');
  await repl.waitFor(/\* [0-9a-f]{8} {2}please echo hello/);
});

test('/interrupt stops a running turn; /new starts another thread; unknown commands are explained', async (t) => {
  const repl = await session(t, [[{ type: 'text', text: 'A very long' }, { wait: 10000 }, { type: 'stop', reason: 'end_turn' }]]);
  repl.type('talk a lot');
  await repl.waitFor(/A very long/);
  repl.type('/interrupt');
  await repl.waitFor(/\(interrupted\)/);
  repl.type('/new');
  await repl.waitFor(/new thread [0-9a-f]{8}/);
  repl.type('/frobnicate');
  await repl.waitFor(/unknown command \/frobnicate/);
});

test('/kernel lists and shows patches; approve asks first ("n" leaves it), "y" approves and deploys; rollback undoes it', async (t) => {
  const repl = await session(t, []);
  await deployFixture(repl.kernel, 'fib-slow');
  await publishFixture(repl.kernel, 'fib-fast');
  const patch = await repl.kernel.proposePatch({ kind: 'tool', name: 'fib', range: '1.1.0' });
  const id = patch.id.slice(0, 8);
  repl.type('/kernel');
  await repl.waitFor(new RegExp(`${id} tool/fib 1\\.0\\.0 -> 1\\.1\\.0: proposed`));
  repl.type(`/kernel show ${id}`);
  await repl.waitFor(/verification: passed/);
  repl.type(`/kernel approve ${id}`);
  await repl.waitFor(/approve and deploy it\? \[y\/n\]/);
  repl.type('n');
  await repl.waitFor(/left as it was/);
  assert.equal(repl.kernel.patches.get(patch.id).state, 'proposed');
  repl.type(`/kernel approve ${id}`);
  await repl.waitFor(/approve and deploy it\? \[y\/n\][\s\S]*approve and deploy it\? \[y\/n\]/);
  repl.type('y');
  await repl.waitFor(/1\.1\.0: deployed/);
  assert.equal(repl.kernel.serving('tool', 'fib')?.version, '1.1.0');
  assert.equal(repl.kernel.patches.get(patch.id).history.at(-1)?.by, 'ada');
  repl.type(`/kernel rollback ${id}`);
  await repl.waitFor(/1\.1\.0: rolled_back/);
  assert.equal(repl.kernel.serving('tool', 'fib')?.version, '1.0.0');
});
