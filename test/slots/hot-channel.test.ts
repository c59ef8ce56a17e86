// A channel that Titan's code has never heard of, added to a RUNNING `titan start`: the generic
// webhook channel (examples/channels/webhook) is published and deployed through the command line;
// with no restart its webhook route answers, a stranger gets a pairing code at the receiving
// server, and once paired their message gets the agent's answer there, with the reply token.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/api.ts';
import { PROJECT_ROOT, runTitan, startTitan, stopTitan } from '../support/cli.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { publishAndDeploy, startReceiver, until, type Receiver } from './support.ts';

const SECRET = 'shared-webhook-secret';
const REPLY_TOKEN = 'reply-token-value';

let home: string;
let cleanup: () => Promise<void>;
let llm: ScriptedLlm;
let receiver: Receiver;
let titan: ChildProcess;
let output: () => string;
let gateway: string;

before(async () => {
  ({ home, cleanup } = await tempHome('titan-hot-channel-'));
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  llm = await startScriptedLlm();
  receiver = await startReceiver((_, res) => res.end(JSON.stringify({ id: `m${receiver.received.length}` })));
  // The channel's address is configuration, like any channel's: nothing names it in Titan's code.
  await writeFile(path.join(home, 'config.json'), JSON.stringify({ channels: { apiUrls: { webhook: receiver.url } } }));
  const running = await startTitan(home, 'Ctrl-C stops.', {
    TITAN_PROVIDER: 'scripted',
    TITAN_SCRIPTED_LLM_URL: llm.url,
    TITAN_WEBHOOK_SECRET: SECRET,
    TITAN_WEBHOOK_REPLY_TOKEN: REPLY_TOKEN,
    // A person's first chat would start with the onboarding questions: this suite is about the channel.
    TITAN_ONBOARDING: 'off',
  });
  titan = running.child;
  output = running.output;
  gateway = /gateway on (http:\/\/127\.0\.0\.1:\d+)/.exec(output())?.[1] ?? '';
  assert.ok(gateway, `the gateway's address in:\n${output()}`);
});

after(async () => {
  await stopTitan(titan);
  await receiver.close();
  await llm.close();
  await cleanup();
});

const post = (body: unknown, secret = SECRET) =>
  fetch(`${gateway}/channels/webhook/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-webhook-secret': secret },
    body: JSON.stringify(body),
  });

test('the webhook channel is published and deployed into the running Titan and answers through it, with no restart', async () => {
  const pid = titan.pid;
  const before = await post({ id: '0', from: 'alice', text: 'anyone?' });
  assert.equal(before.status, 404, 'no webhook channel runs before it is deployed');

  const deployed = await publishAndDeploy(home, path.join(PROJECT_ROOT, 'examples/channels/webhook'), 'channel/webhook');
  assert.deepEqual(deployed, { version: '1.0.0', state: 'deployed' });
  await until(() => (output().includes('channel webhook: webhook at') ? true : undefined), 'the channel to start');

  // A wrong secret is refused by the component (the host told it the secret did not match).
  const refused = await post({ id: '1', from: 'alice', text: 'hi' }, 'guess');
  assert.equal(refused.status, 401);
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'TITAN_E_CHANNEL_SIGNATURE');

  // A stranger is told their pairing code, at the receiving server.
  assert.equal((await post({ id: '2', from: 'alice', name: 'Alice', text: 'hello there' })).status, 202);
  const pairing = await until(() => receiver.received.find((r) => r.body.includes('pairing code')), 'the pairing reply');
  assert.equal(pairing.url, '/messages');
  assert.equal(pairing.headers.authorization, `Bearer ${REPLY_TOKEN}`, 'the host put the reply token in');
  const code = /pairing code is ([A-Z0-9]{6})/.exec(pairing.body)?.[1] ?? '';
  const approved = await runTitan(['pairing', 'approve', code], home);
  assert.equal(approved.code, 0, approved.stderr);

  // Paired: the message reaches the agent and its answer comes back to the receiving server.
  assert.equal((await post({ id: '3', from: 'alice', text: 'ping through the webhook' })).status, 202);
  const answer = await until(
    () => receiver.received.find((r) => r.body.includes('echo: ping through the webhook')),
    () => `the answer (received so far: ${receiver.received.map((r) => r.body).join(' | ')})\n${output().slice(-2000)}`,
    60_000,
  );
  assert.deepEqual(JSON.parse(answer.body), { chat: 'alice', to: 'alice', inReplyTo: '3', text: 'echo: ping through the webhook', part: 0 });

  // The same event again is acknowledged and never answered twice.
  const replay = await post({ id: '3', from: 'alice', text: 'ping through the webhook' });
  assert.equal(replay.headers.get('x-titan-replay'), 'TITAN_E_CHANNEL_REPLAY');
  assert.equal(titan.pid, pid);
  assert.equal(titan.exitCode, null, 'the same process served it all');
});
