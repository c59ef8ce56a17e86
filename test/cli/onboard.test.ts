// `titan onboard` with no network: with flags (--yes) it writes the provider, channels and store
// into config.json and the keys into the secret store, testing the provider when it answers and
// saying so when it cannot be reached; run again it changes only what changed; bad input (an
// unknown provider, a refused key, an unreachable PostgreSQL) is a coded error and nothing is
// written. On a terminal (keys typed into its input) it asks, reviews and writes the same way.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { after, before, beforeEach, test } from 'node:test';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/api.ts';
import { onboardCommand } from '../../bin/commands/onboard.ts';
import type { Args } from '../../bin/cli.ts';
import { SecretStore } from '../../common/secret-store.ts';
import { startPostgres, type PostgresCluster } from '../support/postgres.ts';
import { tempHome } from '../support/kernel.ts';
import { runTitan } from '../support/cli.ts';

let home: string;
let cleanup: () => Promise<void>;
let llm: ScriptedLlm;
let pg: PostgresCluster;
let refusing: http.Server;
let refusingUrl: string;
const previousHome = process.env.TITAN_HOME;

before(async () => {
  llm = await startScriptedLlm();
  pg = await startPostgres();
  refusing = http.createServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad key"}'));
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  refusingUrl = `http://127.0.0.1:${(refusing.address() as { port: number }).port}/v1`;
});
beforeEach(async () => {
  await cleanup?.();
  ({ home, cleanup } = await tempHome('titan-onboard-'));
  process.env.TITAN_HOME = home;
});
after(async () => {
  if (previousHome === undefined) delete process.env.TITAN_HOME;
  else process.env.TITAN_HOME = previousHome;
  await cleanup?.();
  await llm?.close();
  await pg?.stop();
  await new Promise((resolve) => refusing?.close(resolve));
});

const config = async () => JSON.parse(await readFile(path.join(home, 'config.json'), 'utf8').catch(() => '{}')) as Record<string, Record<string, unknown>>;
const secrets = async () => (await SecretStore.open(home)).list().map((s) => s.name);

/** Runs `titan onboard --yes ...` in this process; what it printed as JSON. */
async function onboard(values: Args['values'], stdin = ''): Promise<{ changed: Array<{ what: string; to: string }>; notes: string[] }> {
  let printed = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => {
    printed += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await onboardCommand(
      { positionals: [], values: { yes: true, json: true, ...values }, out: { json: true } },
      { input: Readable.from([stdin]), output: process.stdout },
    );
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(printed);
}

test('flags: the provider tested when it answers, its key stored; run again, only what changed is written', async () => {
  const first = await onboard({ provider: 'scripted', baseUrl: llm.url });
  assert.deepEqual((await config()).provider, { name: 'scripted', baseUrl: llm.url });
  assert.match(first.notes[0], /answers \(model titan-scripted\)/, 'the scripted server was reached');

  const again = await onboard({ provider: 'scripted', baseUrl: llm.url });
  assert.deepEqual(again.changed, [], 'the same choices change nothing');

  // An address nothing answers: said plainly, written all the same (the machine may be offline).
  const offline = await onboard({ provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1' }, 'sk-local');
  assert.match(offline.notes[0], /cannot be reached from here/);
  const withKey = await onboard({ provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', apiKeyStdin: true }, 'sk-local\n');
  assert.deepEqual(
    withKey.changed.map((c) => c.what),
    ['secret OPENAI_API_KEY'],
  );
  assert.deepEqual(await secrets(), ['OPENAI_API_KEY']);
  assert.deepEqual((await config()).provider, { name: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
});

test('bad input is a coded error and nothing is written', async () => {
  await assert.rejects(onboard({ provider: 'gpt-everything' }), { code: 'TITAN_E_ONBOARD_PROVIDER' });
  await assert.rejects(onboard({ provider: 'openai-compatible', baseUrl: refusingUrl, apiKeyStdin: true }, 'sk-wrong'), {
    code: 'TITAN_E_ONBOARD_KEY_REFUSED',
  });
  await assert.rejects(onboard({ store: 'postgres://titan:pw@127.0.0.1:1/titan' }), { code: 'TITAN_E_ONBOARD_STORE' });
  await assert.rejects(onboard({ channel: ['telegram'] }), { code: 'TITAN_E_CHANNEL_CONFIG' }, 'a channel without its token');
  assert.deepEqual(await config(), {}, 'no config.json written');
  assert.deepEqual(await secrets(), [], 'no secret stored');
});

test('flags: PostgreSQL is tried before it is chosen; channels take their tokens from the environment', async () => {
  const chosen = await onboard({ store: pg.url });
  assert.match(chosen.notes[0], /answers/);
  assert.equal((await config()).kernel.dbUrl, pg.url);
  process.env.TITAN_TELEGRAM_BOT_TOKEN = '123:telegram-token';
  try {
    const channels = await onboard({ channel: ['telegram'] });
    assert.ok(
      channels.notes.some((n) => /titan pairing approve CODE/.test(n)),
      'pairing is explained',
    );
  } finally {
    delete process.env.TITAN_TELEGRAM_BOT_TOKEN;
  }
  assert.deepEqual((await config()).channels, { enabled: ['telegram'] });
  assert.deepEqual(await secrets(), ['TITAN_TELEGRAM_BOT_TOKEN']);
  await onboard({ store: 'libsql' });
  assert.deepEqual((await config()).kernel, {}, 'back to the libSQL file');
});

test('on a terminal: keys typed into its input pick a provider, a channel and the store; a review, then the write', async () => {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
  let drawn = '';
  const output = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences of a terminal are what is removed
        drawn += chunk.toString().replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
        done();
      },
    }),
    { columns: 100, rows: 40, isTTY: true },
  );
  /** Waits for `text` on the screen (after what was seen so far), then types `keys`. */
  let seen = 0;
  const at = async (text: string, keys: string[]) => {
    const deadline = Date.now() + 10_000;
    while (drawn.indexOf(text, seen) < 0) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}"; the screen:\n${drawn.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    seen = drawn.indexOf(text, seen) + text.length;
    for (const key of keys) {
      input.write(key);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  };
  const DOWN = '\u001b[B';
  const run = onboardCommand({ positionals: [], values: {}, out: { json: false } }, { input, output });
  await at('Which model provider', [DOWN, DOWN, DOWN, '\r']); // openai, anthropic, ollama, scripted
  await at('scripted server URL', [...llm.url, '\r']);
  await at('Model', ['\r']);
  await at('answers (model titan-scripted)', []);
  await at('Messaging channels', [DOWN, DOWN, ' ', '\r']); // discord, slack, telegram
  await at('TITAN_TELEGRAM_BOT_TOKEN', [...'123:typed', '\r']);
  await at('titan pairing approve CODE', []);
  await at('Where should Titan keep its data', ['\r']); // libSQL
  await at('This will be written', []);
  await at('Write it?', ['\r']);
  assert.equal(await run, 0);
  assert.match(drawn, /provider\.name: \(none\) -> scripted/);
  assert.match(drawn, /Written\./);
  assert.doesNotMatch(drawn, /123:typed/, 'the token is never shown');
  assert.deepEqual((await config()).provider, { name: 'scripted', baseUrl: llm.url });
  assert.deepEqual((await config()).channels, { enabled: ['telegram'] });
  assert.deepEqual(await secrets(), ['TITAN_TELEGRAM_BOT_TOKEN']);
});

test('the real command: no terminal and no --yes is refused; --yes with flags writes; an unknown provider exits with its code', async () => {
  const asked = await runTitan(['onboard'], home);
  assert.equal(asked.code, 2);
  assert.match(asked.stderr, /TITAN_E_USAGE: titan onboard asks its questions on a terminal/);
  const written = await runTitan(['onboard', '--provider', 'ollama', '--base-url', 'http://127.0.0.1:9', '--store', 'libsql', '--yes', '--json'], home);
  assert.equal(written.code, 0, written.stderr);
  assert.deepEqual(
    JSON.parse(written.stdout).changed.map((c: { what: string }) => c.what),
    ['provider.name', 'provider.baseUrl'],
  );
  const unknown = await runTitan(['onboard', '--provider', 'gpt-everything', '--yes'], home);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /TITAN_E_ONBOARD_PROVIDER: "gpt-everything" is not a provider Titan knows: nothing was written/);
  assert.deepEqual((await config()).provider, { name: 'ollama', baseUrl: 'http://127.0.0.1:9' }, 'the earlier choice is unchanged');
});
