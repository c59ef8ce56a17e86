// The agent's model writes a channel from a description (the scripted model answers with the
// manifest section and the source): it is built by the toolchain, published through the smoke
// test, proposed and verified as a patch, and once approved and deployed it serves as a channel.
// An answer that does not build, or whose section is not a valid platform, is refused with its
// code and leaves no version and no patch behind.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Agent, createLlm, llmSourceModel, startScriptedLlm, type ScriptedLlm } from '../../agent/api.ts';
import { KernelPatchTool } from '../../agent/services.ts';
import { isTitanError } from '../../common/errors.ts';
import { generateComponent } from '../../kernel/api.ts';
import { openHarness, type Harness } from '../gateway/support.ts';
import { PROJECT_ROOT } from '../support/cli.ts';

let harness: Harness;
let llm: ScriptedLlm;

const WEBHOOK = path.join(PROJECT_ROOT, 'examples/channels/webhook');
const answer = (section: unknown, source: string) => `Here it is.\n\n\`\`\`json\n${JSON.stringify(section, null, 2)}\n\`\`\`\n\n\`\`\`js\n${source}\n\`\`\`\n`;

before(async () => {
  harness = await openHarness();
  const section = (JSON.parse(await readFile(path.join(WEBHOOK, 'component.json'), 'utf8')) as { channel: unknown }).channel;
  const source = await readFile(path.join(WEBHOOK, 'webhook.js'), 'utf8');
  llm = await startScriptedLlm({
    script: {
      turns: [
        { match: { lastUserContains: '"relay"' }, content: [{ type: 'text', text: answer(section, source) }] },
        { match: { lastUserContains: '"broken"' }, content: [{ type: 'text', text: answer(section, 'export const channel = {{ not javascript') }] },
        { match: { lastUserContains: '"half"' }, content: [{ type: 'text', text: answer({ title: 'Half' }, source) }] },
        // Asked in a chat, the agent's model calls kernel-patch generate; the same model then writes the channel.
        {
          match: { lastUserContains: 'a channel for our webhook relay' },
          content: [
            {
              type: 'tool_call',
              name: 'kernel-patch',
              arguments: {
                op: 'generate',
                kind: 'channel',
                name: 'chat-relay',
                description: 'a generic webhook relay: POST in with a secret, replies POSTed out',
              },
            },
          ],
        },
        { match: { lastUserContains: '"chat-relay"' }, content: [{ type: 'text', text: answer(section, source) }] },
        { match: { lastMessageContains: 'channel/chat-relay@0.1.0' }, content: [{ type: 'text', text: 'Written and verified; approve it to deploy.' }] },
      ],
    },
  });
});

after(async () => {
  await llm.close();
  await harness.close();
});

const model = () =>
  llmSourceModel(createLlm(harness.kernel, { providers: [{ name: 'scripted', component: 'openai', baseUrl: llm.baseUrls.openai, model: 'titan-scripted' }] }));

test('a channel written by the model from a description is built, verified as a patch and serves once deployed', async () => {
  const description = 'a generic webhook: messages by POST with a shared secret header, replies POSTed as JSON to a URL';
  const { manifest, patch } = await generateComponent(harness.kernel, model(), { kind: 'channel', name: 'relay', description }, AbortSignal.timeout(60_000));
  assert.equal(`${manifest.kind}/${manifest.name}@${manifest.version}`, 'channel/relay@0.1.0');
  assert.equal(manifest.channel?.title, 'Webhook');
  assert.equal(patch.state, 'proposed');
  assert.equal(patch.verification?.passed, true, JSON.stringify(patch.verification));
  const prompt = llm.timeline().at(-1);
  assert.match(JSON.stringify(prompt), /decode-inbound: func/, 'the model was shown the WIT contract');

  await harness.kernel.approvePatch(patch.id, { by: 'test' });
  assert.equal((await harness.kernel.deployPatch(patch.id, { by: 'test' })).state, 'deployed');
  const [request] = (await harness.kernel.call('channel', 'relay', 'encode-outbound', [
    JSON.stringify({ op: 'send', context: { chat: 'c', from: 'u', eventId: 'e' }, text: 'hi', part: 0 }),
  ])) as Array<{ path: string }>;
  assert.equal(request.path, '/messages');
});

test('an answer that does not build or declares no valid platform is refused and leaves nothing behind', async () => {
  const description = 'a channel that the model gets wrong on purpose in this test';
  for (const [name, code] of [
    ['broken', 'TITAN_E_BUILD_FAILED'],
    ['half', 'TITAN_E_MANIFEST_INVALID'],
  ] as const) {
    await assert.rejects(generateComponent(harness.kernel, model(), { kind: 'channel', name, description }, AbortSignal.timeout(60_000)), (error) =>
      isTitanError(error, code),
    );
    assert.deepEqual(await harness.kernel.registry.list({ kind: 'channel', name }), [], `no ${name} version published`);
    assert.deepEqual(harness.kernel.patches.list({ slot: `channel/${name}` }), [], `no ${name} patch`);
  }
});

test('asked in a chat, the agent writes a channel with kernel-patch generate: proposed and verified, waiting for the owner', async (t) => {
  const chat = createLlm(harness.kernel, { providers: [{ name: 'scripted', component: 'openai', baseUrl: llm.baseUrls.openai, model: 'titan-scripted' }] });
  const agent = new Agent(harness.kernel, { workspace: path.join(harness.home, 'workspace'), llm: (request, options) => chat.stream(request, options) });
  await agent.start();
  t.after(() => agent.close());
  agent.tools.addSource(new KernelPatchTool(harness.kernel, llmSourceModel(chat)));
  const thread = await agent.createThread('ada');
  const { run } = await agent.send('ada', thread.id, 'please write a channel for our webhook relay');
  const outcome = await run.done;
  assert.equal(outcome.state, 'completed', outcome.error?.message);
  assert.equal(outcome.text, 'Written and verified; approve it to deploy.');
  const [patch] = harness.kernel.patches.list({ slot: 'channel/chat-relay' });
  assert.equal(patch.state, 'proposed', 'the owner decides (kernel-patch-decide asks them)');
  assert.equal(patch.verification?.passed, true);

  const without = new KernelPatchTool(harness.kernel);
  await assert.rejects(
    without.invoke('kernel-patch', JSON.stringify({ op: 'generate', kind: 'provider', name: 'nope', description: 'an OpenAI-compatible server' })),
    (error) => isTitanError(error, 'TITAN_E_GENERATE_FAILED'),
  );
});
