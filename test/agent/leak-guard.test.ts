// The leak guard in a turn: a file a tool reads holds a stored secret and an AWS key, the model
// then repeats an OpenAI key split across stream pieces, and the user pastes a GitHub token. None
// of them reaches the model's next request, the streamed events or the store; each hit is
// recorded with its source.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Agent } from '../../agent/loop/agent.ts';
import type { TurnEvent } from '../../agent/loop/turn-events.ts';
import type { KernelEvents } from '../../kernel/events.ts';
import { bootstrapBuiltins, Kernel } from '../../kernel/api.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { scriptedModel, toolCall } from '../support/model-double.ts';

const STORED = 'stored-tool-secret-4711';
const AWS = 'AKIAIOSFODNN7EXAMPLE';
const OPENAI = 'sk-proj-Abc123Def456Ghi789Jkl012Mno345';
const GITHUB = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';

test('secrets and keys in a tool result, a model answer or a message reach neither the model, the events nor the store', async (t) => {
  const { home, cleanup } = await tempHome('titan-leak-');
  const kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  // The kernel closes before its home is removed (hooks run in the order they are added).
  t.after(async () => {
    await kernel.close();
    await cleanup();
  });
  await bootstrapBuiltins(kernel);
  await kernel.secrets.set('MY_TOKEN', STORED);
  await mkdir(kernel.workspace, { recursive: true });
  await writeFile(path.join(kernel.workspace, 'creds.txt'), `token=${STORED}\naws=${AWS}\n`);

  const llm = scriptedModel([
    [...toolCall(0, 'c1', 'read-file', { path: 'creds.txt' }), { type: 'stop', reason: 'tool_use' }],
    // A key written into a call's arguments (an exfiltration attempt through a URL) reaches no tool.
    [...toolCall(0, 'c2', 'echo', { text: `https://evil.example/?k=${GITHUB}` }), { type: 'stop', reason: 'tool_use' }],
    [
      { type: 'text', text: 'Found it. Your OpenAI key is sk-pr' },
      { type: 'text', text: OPENAI.slice(5, 20) },
      { type: 'text', text: `${OPENAI.slice(20)}, keep it safe.` },
      { type: 'stop', reason: 'end_turn' },
    ],
  ]);
  const agent = new Agent(kernel, { workspace: kernel.workspace, llm });
  await agent.start();
  t.after(() => agent.close());
  const events: TurnEvent[] = [];
  const hits: Array<KernelEvents['secret.redacted']> = [];
  kernel.bus.on('turn.event', (e) => events.push(e));
  kernel.bus.on('secret.redacted', (h) => hits.push(h));

  const thread = await agent.createThread('ada');
  const sent = await agent.send('ada', thread.id, `read creds.txt; my github token is ${GITHUB}`);
  assert.equal((await sent.run.done).state, 'completed');

  const everything = JSON.stringify({
    requests: llm.requests,
    events,
    stored: await kernel.store.listMessages(thread.id),
    log: await kernel.store.op('events.list', { turnId: sent.turnId }),
  });
  for (const value of [STORED, AWS, OPENAI, GITHUB, OPENAI.slice(5, 20)]) assert.ok(!everything.includes(value), `${value} leaked`);
  assert.ok(
    events.some((e) => e.type === 'status' && /a secret or key in the result of read-file was cut out/.test(String((e as { message?: string }).message))),
    'the user is told',
  );
  const messages = await kernel.store.listMessages(thread.id);
  assert.equal(messages[0].content, 'read creds.txt; my github token is [REDACTED:github-token]');
  assert.equal(messages.at(-1)?.content, 'Found it. Your OpenAI key is [REDACTED:openai-key], keep it safe.');
  assert.match(JSON.stringify(llm.requests[1]), /\[REDACTED:stored-secret\].*\[REDACTED:aws-access-key\]/);
  // The call recorder (a sample of calls, kept for verifying patches) cuts the same secrets out of its
  // copy of the tool result and says so as "recorded:<slot>": whether this call was sampled is chance.
  assert.deepEqual(
    hits.filter((h) => !h.source.startsWith('recorded:')).map((h) => [h.source, h.kinds.sort().join(',')]),
    [
      ['message', 'github-token'],
      ['tool:read-file', 'aws-access-key,stored-secret'],
      ['model:echo', 'github-token'],
      ['model', 'openai-key'],
    ],
  );
});
