// A provider Titan's code has never heard of, added to a RUNNING `titan start`: Titan starts with
// TITAN_PROVIDER=azure-openai before any such component exists (a turn is refused with a coded
// error), then examples/providers/azure-openai is published and deployed through the command
// line and the next turn goes through it, with no restart, to a server with Azure's quirks (a
// deployment path with an api-version, the key in an api-key header) in front of the scripted model.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/api.ts';
import { PROJECT_ROOT, startTitan, stopTitan } from '../support/cli.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { publishAndDeploy, startReceiver, type Receiver } from './support.ts';

const KEY = 'azure-key-value';
const DEPLOYMENT = 'gpt-deploy-1';

let home: string;
let cleanup: () => Promise<void>;
let llm: ScriptedLlm;
let azure: Receiver;
let titan: ChildProcess;
let gateway: string;

before(async () => {
  ({ home, cleanup } = await tempHome('titan-hot-provider-'));
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  llm = await startScriptedLlm();
  // Azure's quirks, enforced; what passes is forwarded to the scripted model's OpenAI route.
  azure = await startReceiver((r, res) => {
    const expected = `/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=2024-10-21`;
    if (r.url !== expected || r.headers['api-key'] !== KEY || r.headers.authorization !== undefined) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'NotFound', message: `not an Azure request: ${r.url}` } }));
      return;
    }
    void fetch(`${llm.baseUrls.openai}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: r.body }).then(
      async (answer) => {
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/event-stream' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      },
    );
  });
  const running = await startTitan(home, 'Ctrl-C stops.', {
    TITAN_PROVIDER: 'azure-openai',
    AZURE_OPENAI_BASE_URL: azure.url,
    AZURE_OPENAI_API_KEY: KEY,
    TITAN_MODEL: DEPLOYMENT,
  });
  titan = running.child;
  gateway = /gateway on (http:\/\/127\.0\.0\.1:\d+)/.exec(running.output())?.[1] ?? '';
  assert.ok(gateway, `the gateway's address in:\n${running.output()}`);
});

after(async () => {
  await stopTitan(titan);
  await azure.close();
  await llm.close();
  await cleanup();
});

async function ask(text: string): Promise<{ status: number; body: { choices?: Array<{ message: { content: string } }>; error?: { code: string } } }> {
  const token = (await readFile(path.join(home, 'gateway-token'), 'utf8')).trim();
  const response = await fetch(`${gateway}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'titan', messages: [{ role: 'user', content: text }] }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

test('a provider component deployed into the running Titan answers the next turn, through its quirks, with no restart', async () => {
  const pid = titan.pid;
  const before = await ask('is anyone there?');
  assert.notEqual(before.status, 200);
  assert.equal(before.body.error?.code, 'TITAN_E_PROVIDER_NOT_DEPLOYED');
  assert.equal(azure.received.length, 0, 'nothing was sent anywhere');

  const deployed = await publishAndDeploy(home, path.join(PROJECT_ROOT, 'examples/providers/azure-openai'), 'provider/azure-openai');
  assert.deepEqual(deployed, { version: '1.0.0', state: 'deployed' });

  const after = await ask('hello through azure');
  assert.equal(after.status, 200, JSON.stringify(after.body));
  assert.equal(after.body.choices?.[0].message.content, 'echo: hello through azure');
  const sent = azure.received.at(-1)!;
  assert.equal(sent.headers['api-key'], KEY, 'the host sent the key the way the manifest says');
  assert.equal(JSON.parse(sent.body).model, DEPLOYMENT);
  assert.equal(titan.pid, pid);
  assert.equal(titan.exitCode, null, 'the same process served it all');
});
