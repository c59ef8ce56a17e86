// `titan chat` attached to a running `titan start` (the scripted model): a new user is first offered
// onboarding (skipped here), then typed messages stream
// their answers in, a tool call shows as a card with its result, a guarded tool's approval is
// answered with "y" and the tool then runs, and /threads lists the thread. Keys go to the view as
// a terminal would send them; what it draws is read from its output.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/api.ts';
import { loadChatView } from '../../bin/chat/load.ts';
import { connect, type Connection } from '../../bin/chat/connection.ts';
import { startTitan } from '../support/cli.ts';
import { runningClient } from '../../bin/client.ts';
import { FIXTURES } from '../support/fixtures.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';

// Loaded as `titan chat` loads it, so the view draws live even when the test runs under CI.
const { runChat } = await loadChatView();

let home: string;
let cleanup: () => Promise<void>;
let kernel: ChildProcess;
let llm: ScriptedLlm;
const previousHome = process.env.TITAN_HOME;

before(async () => {
  ({ home, cleanup } = await tempHome('titan-chat-'));
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  // The clock tool always asks here, so the chat has an approval to answer.
  await writeFile(path.join(home, 'config.json'), JSON.stringify({ agent: { guardedTools: ['clock'] } }));
  llm = await startScriptedLlm({
    script: {
      name: 'chat',
      turns: [
        { match: { lastUserContains: 'hello' }, content: [{ type: 'text', text: 'Hello! Ask me the time.' }] },
        { match: { lastUserContains: 'what time' }, content: [{ type: 'tool_call', name: 'clock', arguments: {} }] },
        { match: { lastMessageContains: 'epochMs' }, content: [{ type: 'text', text: 'The clock says it is late.' }] },
      ],
    },
  });
  kernel = (await startTitan(home, 'gateway on ', { TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: llm.url })).child;
  process.env.TITAN_HOME = home;
});

after(async () => {
  if (previousHome === undefined) delete process.env.TITAN_HOME;
  else process.env.TITAN_HOME = previousHome;
  if (kernel.exitCode === null) kernel.kill('SIGTERM');
  await new Promise((resolve) => (kernel.exitCode === null ? kernel.once('exit', resolve) : resolve(null)));
  await llm.close();
  await cleanup();
});

/** A terminal for the view: keys in, drawn frames out (escape sequences removed). */
function terminal() {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin });
  let drawn = '';
  const stdout = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences of a terminal are what is removed
        drawn += chunk.toString().replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
        done();
      },
    }),
    { columns: 100, rows: 40, isTTY: true },
  );
  // Typed, then a pause, as keys come from a person: the view reads each chunk as it arrives.
  const type = async (text: string) => {
    stdin.write(text);
    await new Promise((resolve) => setTimeout(resolve, 50));
  };
  return { stdin, stdout, type, enter: () => type('\r'), drawn: () => drawn };
}

async function until(what: string, check: () => boolean, drawn: () => string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${drawn().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a chat streams answers, shows a tool card, answers an approval with y, and lists its thread', async () => {
  const connection: Connection = await connect({ start: false });
  assert.equal(connection.startedLog, undefined, 'attached to the running Titan, started none');
  const term = terminal();
  const chat = runChat(connection, { stdin: term.stdin, stdout: term.stdout });
  try {
    await until('the input line', () => term.drawn().includes('›'), term.drawn);
    await term.type('hello there');
    await term.enter();
    // A person's first chat: Titan's onboarding questions come first, and "skip" ends them.
    await until('the first onboarding question', () => term.drawn().includes('(1/5) Who are you?'), term.drawn);
    assert.match(term.drawn(), /you › hello there/);
    await term.type('skip');
    await term.enter();
    await until('onboarding skipped', () => term.drawn().includes('Skipped: nothing was written'), term.drawn);
    await term.type('hello again');
    await term.enter();
    await until('the streamed answer', () => term.drawn().includes('Hello! Ask me the time.'), term.drawn);

    await term.type('what time is it?');
    await term.enter();
    await until('the approval prompt', () => /clock wants to run \{\}\. Allow\? \[y\/n\]/.test(term.drawn()), term.drawn);
    await term.type('y');
    await term.enter();
    await until('the answer after the tool', () => term.drawn().includes('The clock says it is late.'), term.drawn);
    assert.match(term.drawn(), /clock: approved/);
    assert.match(term.drawn(), /✓ clock (\(started early\) )?\{\}/, 'the tool card, done');

    await term.type('/threads');
    await term.enter();
    await until('the thread list', () => /\* [0-9a-f-]{36}\s+hello there/.test(term.drawn()), term.drawn);
    await term.type('/quit');
    await term.enter();
    await chat;
  } finally {
    await term.type('\u0004'); // Ctrl-D: the view ends, whatever failed above
    await chat;
    await connection.close();
  }
  assert.equal(kernel.exitCode, null, 'the Titan it attached to keeps running');
});

test('/kernel in the chat lists the patch queue; approve asks, and "y" approves and deploys the patch in the running Titan', async () => {
  const client = await runningClient();
  assert.ok(client);
  await client.request('POST', '/api/registry/publish', { dir: path.join(FIXTURES, 'fib-fast') });
  const patch = await client.request<{ id: string }>('POST', '/api/patches', { ref: 'tool/fib@1.1.0', why: 'a fast fib' });
  const id = patch.id.slice(0, 8);
  const connection: Connection = await connect({ start: false });
  const term = terminal();
  const chat = runChat(connection, { stdin: term.stdin, stdout: term.stdout });
  try {
    await until('the input line', () => term.drawn().includes('›'), term.drawn);
    await term.type('/kernel');
    await term.enter();
    await until('the patch queue', () => term.drawn().includes(`${id} tool/fib (none) -> 1.1.0: proposed`), term.drawn);
    await term.type(`/kernel approve ${id}`);
    await term.enter();
    await until('the question', () => /approve and deploy it\? \[y\/n\]/.test(term.drawn()), term.drawn);
    await term.type('y');
    await term.enter();
    await until('the deployed patch', () => term.drawn().includes(`${id} tool/fib (none) -> 1.1.0: deployed`), term.drawn);
  } finally {
    await term.type('\u0004');
    await chat;
    await connection.close();
  }
  const after = await client.request<{ state: string; history: Array<{ why: string }> }>('GET', `/api/patches/${patch.id}`);
  assert.equal(after.state, 'deployed');
  assert.equal(after.history.at(-1)?.why, 'deploy in titan chat');
});

test('with --no-start and no Titan running, the chat is refused with its code and fix', async () => {
  const { home: empty, cleanup: drop } = await tempHome('titan-chat-none-');
  process.env.TITAN_HOME = empty;
  try {
    await assert.rejects(connect({ start: false }), { code: 'TITAN_E_KERNEL_UNREACHABLE' });
  } finally {
    process.env.TITAN_HOME = home;
    await drop();
  }
});
