// MCP tools inside a turn, as the model and the user meet them: listed beside the components with
// their schemas, arguments checked by the host before any tool sees them (the model reads the
// coded error and corrects itself), the server's approval policy asked through the same approvals,
// the same turn events, and a crashing server failing one call while the turn goes on.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Agent } from '../../agent/loop/agent.ts';
import type { TurnEvent } from '../../agent/loop/turn-events.ts';
import { McpService } from '../../agent/mcp/service.ts';
import { bootstrapBuiltins, Kernel } from '../../kernel/api.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { scriptedModel, toolCall, type Step } from '../support/model-double.ts';

const UNRULY = fileURLToPath(new URL('../../agent/mcp/fixtures/unruly-server.ts', import.meta.url));
const EVERYTHING = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));
const unruly = (approval: string) => ({ command: process.execPath, args: ['--disable-warning=ExperimentalWarning', UNRULY], approval });
type Completed = Extract<TurnEvent, { type: 'tool.completed' }>;

async function setup(
  t: { after(fn: () => Promise<void>): void },
  steps: Step[],
  servers: Record<string, unknown>,
  policy: { trustedTools?: string[]; guardedTools?: string[] } = {},
) {
  const { home, cleanup } = await tempHome('titan-agent-mcp-');
  await writeFile(path.join(home, 'config.json'), JSON.stringify({ mcp: { servers } }));
  const kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  await bootstrapBuiltins(kernel);
  const llm = scriptedModel(steps);
  const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm, ...policy });
  await agent.start();
  const mcp = await McpService.start(kernel, agent);
  const events: TurnEvent[] = [];
  kernel.bus.on('turn.event', (e) => events.push(e));
  t.after(async () => {
    await agent.close();
    await mcp.close();
    await kernel.close();
    await cleanup();
  });
  return { kernel, agent, llm, events, mcp };
}

test('the model sees MCP tools beside the components; a bad call is refused by the host and the model corrects it', async (t) => {
  const { agent, llm, events } = await setup(
    t,
    [
      [...toolCall(0, 'c1', 'unruly__echo', { txt: 'hello' }), ...toolCall(1, 'c2', 'echo', { text: 42 }), { type: 'stop', reason: 'tool_use' }],
      [...toolCall(0, 'c3', 'unruly__echo', { text: 'hello' }), { type: 'stop', reason: 'tool_use' }],
      [
        { type: 'text', text: 'It said hello.' },
        { type: 'stop', reason: 'end_turn' },
      ],
    ],
    { unruly: unruly('ask') },
  );
  const thread = await agent.createThread('ada');
  const { run, turnId } = await agent.send('ada', thread.id, 'echo hello');
  assert.equal((await run.done).state, 'completed');

  const first = llm.requests[0] as { tools: Array<{ name: string; schema: { required?: string[] } }> };
  const names = first.tools.map((tool) => tool.name);
  assert.ok(names.includes('echo') && names.includes('unruly__echo') && names.includes('unruly__crash'), names.join(', '));
  assert.deepEqual(first.tools.find((tool) => tool.name === 'unruly__echo')?.schema.required, ['text']);

  const mine = events.filter((e) => e.turnId === turnId);
  const completed = mine.filter((e): e is Completed => e.type === 'tool.completed');
  assert.deepEqual(
    completed.map((c) => [c.callId, c.ok, c.error?.code]),
    [
      ['c1', false, 'TITAN_E_TOOL_ARGUMENTS'],
      ['c2', false, 'TITAN_E_TOOL_ARGUMENTS'],
      ['c3', true, undefined],
    ],
  );
  assert.ok(!mine.some((e) => e.type === 'tool.started' && (e.callId === 'c1' || e.callId === 'c2')), 'neither bad call reached its tool');
  assert.match(completed[0].error!.message, /"text"|required property 'text'/);
  assert.match(completed[1].error!.message, /"text" must be string/);
  // The model read why, in the tool result, before its second try.
  const second = llm.requests[1] as { messages: Array<{ role: string; content: string; tool_call_id?: string }> };
  const refusal = second.messages.find((m) => m.role === 'tool' && m.tool_call_id === 'c1');
  assert.match(refusal!.content, /TITAN_E_TOOL_ARGUMENTS/);
  assert.equal(completed[2].result, 'hello');
  assert.ok(mine.some((e) => e.type === 'tool.started' && e.callId === 'c3' && e.name === 'unruly__echo'));
});

test('a server whose policy is `always` asks for approval; approved, the call runs', async (t) => {
  const { agent, events } = await setup(
    t,
    [
      [...toolCall(0, 'c1', 'unruly__echo', { text: 'approved!' }), { type: 'stop', reason: 'tool_use' }],
      [
        { type: 'text', text: 'Done.' },
        { type: 'stop', reason: 'end_turn' },
      ],
    ],
    { unruly: unruly('always') },
  );
  const thread = await agent.createThread('ada');
  const { run, turnId } = await agent.send('ada', thread.id, 'go');
  const off = setInterval(() => {
    const needed = events.find((e) => e.turnId === turnId && e.type === 'approval.needed') as Extract<TurnEvent, { type: 'approval.needed' }> | undefined;
    if (needed) {
      clearInterval(off);
      void agent.decide(needed.approvalId, 'approved', 'ada');
    }
  }, 20);
  assert.equal((await run.done).state, 'completed');
  clearInterval(off);
  const completed = events.find((e): e is Completed => e.turnId === turnId && e.type === 'tool.completed');
  assert.deepEqual([completed?.ok, completed?.result], [true, 'approved!']);
});

test('a server crashing mid-call fails that call with a coded error; the turn goes on and the server comes back', async (t) => {
  const { agent, events, mcp } = await setup(
    t,
    [
      [...toolCall(0, 'c1', 'unruly__crash', {}), { type: 'stop', reason: 'tool_use' }],
      [
        { type: 'text', text: 'The tool crashed; sorry.' },
        { type: 'stop', reason: 'end_turn' },
      ],
    ],
    { unruly: unruly('never') },
  );
  const thread = await agent.createThread('ada');
  const { run, turnId } = await agent.send('ada', thread.id, 'crash it');
  const outcome = await run.done;
  assert.equal(outcome.state, 'completed');
  assert.equal(outcome.text, 'The tool crashed; sorry.');
  const completed = events.find((e): e is Completed => e.turnId === turnId && e.type === 'tool.completed');
  assert.equal(completed?.error?.code, 'TITAN_E_MCP_PROTOCOL');
  const end = Date.now() + 10_000;
  while (mcp.servers()[0].state !== 'up' && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  assert.deepEqual([mcp.servers()[0].state, mcp.servers()[0].restarts], ['up', 1]);
});

test("a server's progress notifications stream as tool.output while its call runs", async (t) => {
  const { agent, events } = await setup(
    t,
    [
      [...toolCall(0, 'c1', 'everything__trigger-long-running-operation', { duration: 0.3, steps: 3 }), { type: 'stop', reason: 'tool_use' }],
      [
        { type: 'text', text: 'Done.' },
        { type: 'stop', reason: 'end_turn' },
      ],
    ],
    { everything: { command: process.execPath, args: [EVERYTHING, 'stdio'], approval: 'never' } },
  );
  const thread = await agent.createThread('ada');
  const { run, turnId } = await agent.send('ada', thread.id, 'go');
  assert.equal((await run.done).state, 'completed');
  const mine = events
    .filter((e) => e.turnId === turnId && (e.type === 'tool.started' || e.type === 'tool.output' || e.type === 'tool.completed'))
    .map((e) => (e.type === 'tool.output' ? `output ${e.text}` : e.type));
  // The SDK client drops a progress note that arrives in the same read as the call's result (it
  // forgets the call's progress handler first), so the last one may be missing under load; the
  // notes before it stream while the call runs.
  assert.deepEqual(mine.slice(0, 3), ['tool.started', 'output 1/3', 'output 2/3']);
  assert.equal(mine.at(-1), 'tool.completed');
  assert.ok(mine.length === 4 || mine[3] === 'output 3/3', mine.join(', '));
});

test('an interrupt cancels an MCP call in flight; the server stays up for the next one', async (t) => {
  const { agent, events, mcp } = await setup(t, [[...toolCall(0, 'c1', 'unruly__hang', {}), { type: 'stop', reason: 'tool_use' }]], {
    unruly: { ...unruly('never'), timeoutMs: 60_000 },
  });
  const thread = await agent.createThread('ada');
  const { run, turnId } = await agent.send('ada', thread.id, 'hang');
  const end = Date.now() + 10_000;
  while (!events.some((e) => e.turnId === turnId && e.type === 'tool.started') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  const started = Date.now();
  agent.interrupt(turnId, 'ada');
  assert.equal((await run.done).state, 'interrupted');
  assert.ok(Date.now() - started < 2000, 'the call did not wait for its time limit');
  const completed = events.find((e): e is Completed => e.turnId === turnId && e.type === 'tool.completed');
  assert.equal(completed?.error?.code, 'TITAN_E_INTERRUPTED');
  assert.deepEqual([mcp.servers()[0].state, mcp.servers()[0].restarts], ['up', 0]);
});

test("the owner's trustedTools and guardedTools apply to MCP tools by their names", async (t) => {
  const { agent, mcp } = await setup(t, [], { unruly: unruly('ask') }, { trustedTools: ['unruly__crash'], guardedTools: ['unruly__echo'] });
  const asks = (tools: Array<{ name: string; needsApproval: boolean }>, name: string) => tools.find((tool) => tool.name === name)?.needsApproval;
  const offered = await agent.tools.list();
  assert.deepEqual([asks(offered, 'unruly__crash'), asks(offered, 'unruly__echo'), asks(offered, 'unruly__hang')], [false, true, true]);
  const shown = mcp.tools('unruly');
  assert.deepEqual(
    [asks(shown, 'unruly__crash'), asks(shown, 'unruly__echo'), asks(shown, 'unruly__hang')],
    [false, true, true],
    'titan mcp tools says the same',
  );
});
