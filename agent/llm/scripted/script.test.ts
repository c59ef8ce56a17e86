// Scripts: a bad one is refused with a coded error and changes nothing; turns are picked in order,
// by route and by `match`; `repeat` turns stay; an exhausted script says so; the control routes.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { isTitanError } from '../../../common/errors.ts';
import { loadScriptFile, parseScript, type Script } from './script.ts';
import { startScriptedLlm, type ScriptedLlm } from './server.ts';

const say = (text: string): Script['turns'][number] => ({ content: [{ type: 'text', text }] });

describe('scripts', () => {
  let llm: ScriptedLlm;
  let oa: OpenAI;
  let an: Anthropic;
  const ask = async (content: string, model = 'm'): Promise<string | null> =>
    (await oa.chat.completions.create({ model, messages: [{ role: 'user', content }] })).choices[0].message.content;

  before(async () => {
    llm = await startScriptedLlm();
    oa = new OpenAI({ apiKey: 'sk-secret-openai', baseURL: llm.baseUrls.openai, maxRetries: 0 });
    an = new Anthropic({ apiKey: 'sk-ant-secret', baseURL: llm.baseUrls.anthropic, maxRetries: 0 });
  });
  beforeEach(() => {
    llm.load(null);
    llm.reset();
  });
  after(() => llm.close());

  describe('a bad script is refused with TITAN_E_CONFIG_INVALID and the previous script stays loaded', () => {
    const bad: [string, unknown, RegExp][] = [
      ['no turns', {}, /must have required property 'turns'/],
      ['an unknown part type', { turns: [{ content: [{ type: 'image' }] }] }, /\/turns\/0\/content\/0\/type "image" is not one of text, tool_call/],
      ['a tool call without arguments', { turns: [{ content: [{ type: 'tool_call', name: 'x' }] }] }, /arguments/],
      ['an unknown fault', { turns: [{ fault: { kind: 'explode' } }] }, /\/turns\/0\/fault\/kind "explode" is not one of rate_limit/],
      ['a disconnect without a cue', { turns: [{ fault: { kind: 'disconnect' } }] }, /afterChunks/],
      ['an overloaded status that is not 503 or 529', { turns: [{ fault: { kind: 'overloaded', status: 500 } }] }, /status/],
      ['a negative delay', { turns: [{ delayMs: -1 }] }, /delayMs must be >= 0/],
      ['a misspelt field', { turns: [{ contents: [] }] }, /must NOT have additional properties/],
      ['an unknown route', { turns: [{ route: 'gemini' }] }, /route/],
    ];
    for (const [what, script, message] of bad) {
      test(what, async () => {
        llm.load({ turns: [{ ...say('still here'), repeat: true }] });
        assert.throws(
          () => llm.load(script as Script),
          (e: unknown) => isTitanError(e, 'TITAN_E_CONFIG_INVALID') && message.test(e.message) && e.fix !== undefined,
        );
        assert.equal(await ask('hi'), 'still here');
      });
    }

    test('over HTTP: POST /_titan/script answers 400 with the coded error', async () => {
      llm.load({ turns: [{ ...say('kept'), repeat: true }] });
      const response = await fetch(`${llm.url}/_titan/script`, { method: 'POST', body: JSON.stringify({ turns: [{ stop: 'done' }] }) });
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'TITAN_E_CONFIG_INVALID');
      assert.match(body.error.message, /\/turns\/0\/stop/);
      const notJson = await fetch(`${llm.url}/_titan/script`, { method: 'POST', body: '{turns' });
      assert.equal(notJson.status, 400);
      assert.equal(await ask('hi'), 'kept');
    });

    test('startScriptedLlm refuses a bad script before it listens', async () => {
      await assert.rejects(startScriptedLlm({ script: { turns: 3 } as unknown as Script }), (e: unknown) => isTitanError(e, 'TITAN_E_CONFIG_INVALID'));
    });
  });

  test('turns are used in order, once each; an exhausted script answers a 500 the SDK does not retry', async () => {
    llm.load({ name: 'two', turns: [say('first'), say('second')] });
    assert.equal(await ask('a'), 'first');
    assert.equal(await ask('b'), 'second');
    const retrying = new OpenAI({ apiKey: 'x', baseURL: llm.baseUrls.openai, maxRetries: 3 });
    await assert.rejects(
      retrying.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'c' }] }),
      (e: unknown) => e instanceof OpenAI.InternalServerError && /no turn of the script "two" is left/.test(e.message),
    );
    assert.equal(llm.timeline().length, 3, 'x-should-retry: false kept the SDK from retrying');
  });

  test('`match` picks a turn out of order and leaves the others for later', async () => {
    llm.load({
      turns: [
        { ...say('about cats'), match: { lastUserContains: 'cat' } },
        { ...say('for the big model'), match: { model: 'big' } },
        say('anything'),
        say('anything else'),
      ],
    });
    assert.equal(await ask('hello'), 'anything');
    assert.equal(await ask('my cat is asleep'), 'about cats');
    assert.equal(await ask('hello', 'big'), 'for the big model');
    assert.equal(await ask('a cat again'), 'anything else');
    assert.deepEqual(
      llm.timeline().map((e) => e.turn),
      [2, 0, 1, 3],
    );
  });

  test('`route` keeps a turn for one provider; `repeat` serves it every time', async () => {
    llm.load({
      turns: [
        { ...say('claude answer'), route: 'anthropic', repeat: true },
        { ...say('gpt answer'), route: 'openai' },
      ],
    });
    const claude = () => an.messages.create({ model: 'c', max_tokens: 9, messages: [{ role: 'user', content: 'hi' }] });
    assert.deepEqual((await claude()).content, [{ type: 'text', text: 'claude answer' }]);
    assert.equal(await ask('hi'), 'gpt answer');
    assert.deepEqual((await claude()).content, [{ type: 'text', text: 'claude answer' }]);
  });

  test('whenExhausted: "echo" falls back to echo mode', async () => {
    llm.load({ whenExhausted: 'echo', turns: [say('scripted')] });
    assert.equal(await ask('one'), 'scripted');
    assert.equal(await ask('two'), 'echo: two');
  });

  test('reset() rewinds the script and clears the timeline; so does POST /_titan/reset', async () => {
    llm.load({ turns: [say('only once')] });
    assert.equal(await ask('a'), 'only once');
    llm.reset();
    assert.equal(llm.timeline().length, 0);
    assert.equal(await ask('a'), 'only once');
    const response = await fetch(`${llm.url}/_titan/reset`, { method: 'POST' });
    assert.equal(response.status, 200);
    assert.equal(await ask('a'), 'only once');
  });

  test('POST /_titan/script loads a script at run time; GET /_titan/script shows it', async () => {
    const response = await fetch(`${llm.url}/_titan/script`, { method: 'POST', body: JSON.stringify({ turns: [say('from http')] }) });
    assert.deepEqual(await response.json(), { loaded: 'script', turns: 1 });
    const before = (await (await fetch(`${llm.url}/_titan/script`)).json()) as { remaining: number };
    assert.equal(before.remaining, 1);
    assert.equal(await ask('x'), 'from http');
    await fetch(`${llm.url}/_titan/script`, { method: 'POST', body: 'null' });
    assert.equal(await ask('back'), 'echo: back');
  });

  test('GET /_titan/timeline: what was received (secrets redacted) and sent, with both clocks', async () => {
    await oa.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true }).then(async (s) => {
      for await (const chunk of s) void chunk;
    });
    await an.messages.create({ model: 'c', max_tokens: 9, messages: [{ role: 'user', content: 'hi' }] });
    const response = await fetch(`${llm.url}/_titan/timeline`);
    const { timeOrigin, entries } = (await response.json()) as { timeOrigin: number; entries: ReturnType<ScriptedLlm['timeline']> };
    assert.equal(timeOrigin, performance.timeOrigin);
    assert.equal(entries.length, 2);
    const [openaiEntry, anthropicEntry] = entries;
    assert.equal(openaiEntry.headers.authorization, '[redacted]');
    // @anthropic-ai/sdk 1.x sends the key as a bearer token; older versions used x-api-key: both are redacted
    assert.equal(anthropicEntry.headers.authorization ?? anthropicEntry.headers['x-api-key'], '[redacted]');
    assert.ok(!JSON.stringify(entries).includes('secret'), 'no key appears anywhere in the timeline');
    assert.deepEqual(openaiEntry.body, { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    assert.equal(openaiEntry.path, '/v1/chat/completions');
    assert.ok(Math.abs(timeOrigin + openaiEntry.received.at - openaiEntry.received.wallMs) < 50, 'the two clocks agree');
    assert.ok(openaiEntry.sent.length > 2 && anthropicEntry.sent.length === 1);
  });

  test('an unknown route answers 404 in the provider format of its path', async () => {
    const ollamaStyle = await fetch(`${llm.url}/api/pull`, { method: 'POST', body: '{}' });
    assert.equal(ollamaStyle.status, 404);
    assert.match(((await ollamaStyle.json()) as { error: string }).error, /not a route/);
    const openaiStyle = await fetch(`${llm.url}/v1/responses`, { method: 'POST', body: '{}' });
    assert.equal(((await openaiStyle.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
  });

  test('a chat body that is not JSON is a 400 in the provider format', async () => {
    const response = await fetch(`${llm.url}/v1/messages`, { method: 'POST', body: '{"model":' });
    assert.equal(response.status, 400);
    assert.deepEqual(((await response.json()) as { type: string }).type, 'error');
  });
});

describe('script files', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'titan-llm-script-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  test('the example script loads', async () => {
    const script = await loadScriptFile(new URL('./examples/weather.json', import.meta.url).pathname);
    assert.equal(script.turns.length, 2);
  });

  test('a missing file is TITAN_E_NOT_FOUND, a file that is not JSON or not a script is TITAN_E_CONFIG_INVALID', async () => {
    await assert.rejects(loadScriptFile(join(dir, 'none.json')), (e: unknown) => isTitanError(e, 'TITAN_E_NOT_FOUND'));
    await writeFile(join(dir, 'broken.json'), '{"turns": [');
    await assert.rejects(loadScriptFile(join(dir, 'broken.json')), (e: unknown) => isTitanError(e, 'TITAN_E_CONFIG_INVALID') && /not JSON/.test(e.message));
    await writeFile(join(dir, 'wrong.json'), '{"turns": [{"fault": {"kind": "auth", "retryAfterSeconds": "soon"}}]}');
    await assert.rejects(
      loadScriptFile(join(dir, 'wrong.json')),
      (e: unknown) => isTitanError(e, 'TITAN_E_CONFIG_INVALID') && /wrong\.json: \/turns\/0\/fault\/retryAfterSeconds/.test(e.message),
    );
  });

  test('parseScript returns a copy: changing the input later does not change the loaded script', () => {
    const input: Script = { turns: [say('a')] };
    const parsed = parseScript(input);
    input.turns.push(say('b'));
    assert.equal(parsed.turns.length, 1);
  });
});
