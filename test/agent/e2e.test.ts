// The whole runtime as a user with a model endpoint gets it: the provider components (OpenAI,
// Anthropic and Ollama wire formats, served by the scripted LLM server), the agent loop, the shell
// tool with approval and live output, and the bad inputs a real endpoint produces (429, a cut
// stream, a malformed chunk) - each ends or retries the turn visibly and leaves the thread usable.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent } from '../../agent/loop/agent.ts';
import type { TurnEvent } from '../../agent/loop/turn-events.ts';
import { bootstrapBuiltins, Kernel } from '../../kernel/api.ts';
import { createLlm } from '../../agent/llm/llm.ts';
import type { ProviderConfig } from '../../agent/llm/provider-client.ts';
import { startScriptedLlm } from '../../agent/llm/scripted/server.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';

type Server = Awaited<ReturnType<typeof startScriptedLlm>>;

const PROVIDERS: Array<{ route: 'openai' | 'anthropic' | 'ollama'; config: (s: Server) => ProviderConfig }> = [
  { route: 'openai', config: (s) => ({ name: 'openai', component: 'openai', baseUrl: s.baseUrls.openai, model: 'gpt-test', apiKeyEnv: 'E2E_KEY' }) },
  {
    route: 'anthropic',
    config: (s) => ({ name: 'anthropic', component: 'anthropic', baseUrl: s.baseUrls.anthropic, model: 'claude-test', apiKeyEnv: 'E2E_KEY' }),
  },
  { route: 'ollama', config: (s) => ({ name: 'ollama', component: 'ollama', baseUrl: s.baseUrls.ollama, model: 'llama-test' }) },
];

let server: Server;
let kernel: Kernel;
let home: string;
let cleanup: () => Promise<void>;
const events: TurnEvent[] = [];

before(async () => {
  ({ home, cleanup } = await tempHome('titan-e2e-'));
  kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  const report = await bootstrapBuiltins(kernel);
  assert.deepEqual(report.failed, []);
  kernel.bus.on('turn.event', (e) => events.push(e));
  server = await startScriptedLlm();
});

after(async () => {
  await server.close();
  await kernel.close();
  await cleanup();
});

function agentFor(provider: ProviderConfig): Agent {
  const llm = createLlm(kernel, { providers: [provider], env: { E2E_KEY: 'sk-e2e-secret' }, retry: { baseDelayMs: 10, maxDelayMs: 50 }, random: () => 0.5 });
  return new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: (request, options) => llm.stream(request, options) });
}

const ofTurn = (turnId: string) => events.filter((e) => e.turnId === turnId);

async function approveWhenAsked(agent: Agent, turnId: string): Promise<void> {
  for (;;) {
    const needed = ofTurn(turnId).find((e) => e.type === 'approval.needed') as Extract<TurnEvent, { type: 'approval.needed' }> | undefined;
    if (needed) return void (await agent.decide(needed.approvalId, 'approved', 'ada'));
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const { route, config } of PROVIDERS) {
  describe(`${route} wire format`, () => {
    test('the answer streams, the shell runs after approval with live output, and the model reads its result', async () => {
      server.load({
        name: `${route}-shell`,
        turns: [
          {
            route,
            delayMs: 5,
            content: [
              { type: 'text', text: ['Let me ', 'look.'] },
              { type: 'tool_call', name: 'shell', arguments: { command: 'echo one; sleep 0.2; echo two' }, chunkSize: 6 },
            ],
          },
          { route, match: { lastMessageContains: 'two' }, delayMs: 5, content: [{ type: 'text', text: ['It printed ', 'one and two.'] }] },
        ],
      });
      const agent = agentFor(config(server));
      const thread = await agent.createThread('ada');
      const { run, turnId } = await agent.send('ada', thread.id, 'what does the script print?');
      await approveWhenAsked(agent, turnId);
      const outcome = await run.done;
      await agent.close();
      assert.equal(outcome.state, 'completed', JSON.stringify(ofTurn(turnId).filter((e) => e.type === 'error')));
      const mine = ofTurn(turnId);
      assert.ok(mine.filter((e) => e.type === 'text').length >= 3, 'text arrived in pieces');
      const outputs = mine
        .filter((e) => e.type === 'tool.output')
        .map((e) => (e as { text: string }).text)
        .join('');
      assert.match(outputs, /one\n[\s\S]*two\n/);
      const completed = mine.find((e) => e.type === 'tool.completed') as Extract<TurnEvent, { type: 'tool.completed' }>;
      assert.equal(completed.ok, true);
      assert.deepEqual((completed.result as { stdout: string }).stdout, 'one\ntwo\n');
      assert.equal(outcome.text, 'Let me look.It printed one and two.');
      const requests = server.timeline().filter((entry) => entry.route === route);
      const sent = JSON.stringify(requests.map((r) => r.headers));
      if (route !== 'ollama') assert.ok(!sent.includes('sk-e2e-secret'), 'the timeline redacts the key it received');
    });

    test('a 429 is retried; a stream cut mid-tool-call ends the turn with an error event and the thread stays usable', async () => {
      server.load({
        name: `${route}-faults`,
        turns: [
          { route, fault: { kind: 'rate_limit', retryAfterSeconds: 0 } },
          { route, content: [{ type: 'text', text: 'Retried fine.' }] },
          {
            route,
            content: [
              { type: 'text', text: 'Starting ' },
              { type: 'tool_call', name: 'echo', arguments: { text: 'never finished' }, chunkSize: 3 },
            ],
            fault: { kind: 'disconnect', afterChunks: 3 },
          },
          { route, content: [{ type: 'text', text: 'Back again.' }] },
        ],
      });
      const agent = agentFor(config(server));
      const thread = await agent.createThread('ada');
      const first = await agent.send('ada', thread.id, 'one');
      assert.equal((await first.run.done).state, 'completed');
      assert.equal((await first.run.done).text, 'Retried fine.');
      const status = ofTurn(first.turnId).find((e) => e.type === 'status') as Extract<TurnEvent, { type: 'status' }>;
      assert.match(status.message, new RegExp(`^retrying ${route} in \\d+ ms \\(TITAN_E_PROVIDER_RATE_LIMITED`), 'the retry is shown as a status line');

      const cut = await agent.send('ada', thread.id, 'two');
      const outcome = await cut.run.done;
      assert.equal(outcome.state, 'failed');
      const error = ofTurn(cut.turnId).find((e) => e.type === 'error') as Extract<TurnEvent, { type: 'error' }>;
      assert.match(error.code, /TITAN_E_PROVIDER_(STREAM|UNAVAILABLE)/);
      // Ollama sends each tool call whole, so there a call that arrived before the cut may run;
      // in the other formats its arguments were cut half-way and it must not.
      if (route !== 'ollama') assert.ok(!ofTurn(cut.turnId).some((e) => e.type === 'tool.started'), 'a half-streamed tool call never runs');

      const third = await agent.send('ada', thread.id, 'three');
      assert.equal((await third.run.done).text, 'Back again.');
      await agent.close();
      const contents = (await kernel.store.listMessages(thread.id)).map((m) => m.content);
      assert.deepEqual(contents.slice(-2), ['three', 'Back again.']);
      assert.ok(contents.includes('Starting [cut off]'), 'what arrived before the cut is kept');
    });
  });
}
