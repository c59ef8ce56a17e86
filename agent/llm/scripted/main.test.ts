// `npm run mock-llm` by hand: it prints the URLs, serves the script it was given, stops on SIGTERM,
// and refuses a bad script with the coded error.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import OpenAI from 'openai';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('./examples/weather.json', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const output = async (pattern: RegExp): Promise<RegExpExecArray> => {
    for (let i = 0; i < 400; i++) {
      const match = pattern.exec(stdout);
      if (match) return match;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no ${pattern} in output:\n${stdout}\n${stderr}`);
  };
  return { child, exited, output, stderr: () => stderr };
}

test('runs a script by hand, prints each SDK base URL, logs requests, stops on SIGTERM', async () => {
  const server = run(['--script', EXAMPLE, '--port', '0']);
  try {
    const [, url] = await server.output(/on (http:\/\/127\.0\.0\.1:\d+), script .*weather\.json \(2 turns\)/);
    await server.output(/openai +baseURL http:\/\/127\.0\.0\.1:\d+\/v1/);
    const client = new OpenAI({ apiKey: 'x', baseURL: `${url}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: "what's the weather?" }] });
    assert.equal(completion.choices[0].message.tool_calls?.length, 1);
    await server.output(/#1 POST \/v1\/chat\/completions turn 0 -> 200 completed/);
  } finally {
    server.child.kill('SIGTERM');
  }
  assert.equal(await server.exited, 0);
});

test('a bad script file stops it with the coded error', async () => {
  const server = run(['--script', '/nonexistent/script.json']);
  assert.equal(await server.exited, 1);
  assert.match(server.stderr(), /TITAN_E_NOT_FOUND: cannot read the script/);
});

test('a bad option is a usage error', async () => {
  const server = run(['--port', 'eighty']);
  assert.equal(await server.exited, 1);
  assert.match(server.stderr(), /TITAN_E_USAGE/);
});

test('--no-timeline answers as always and keeps no request', async () => {
  const server = run(['--no-timeline', '--quiet']);
  try {
    const [, url] = await server.output(/on (http:\/\/127\.0\.0\.1:\d+), echo mode/);
    const client = new OpenAI({ apiKey: 'x', baseURL: `${url}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hello' }] });
    assert.match(completion.choices[0].message.content ?? '', /hello/);
    const { entries } = (await (await fetch(`${url}/_titan/timeline`)).json()) as { entries: unknown[] };
    assert.deepEqual(entries, []);
  } finally {
    server.child.kill('SIGTERM');
  }
  assert.equal(await server.exited, 0);
});
