// `titan onboard` on a real pseudo-terminal (util-linux `script` gives it one): keys typed as a
// person types them pick the scripted provider, no channel and libSQL, and the review's "yes" writes
// config.json. Skipped where `script` is missing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../support/cli.ts';
import { tempHome } from '../support/kernel.ts';

const SCRIPT = '/usr/bin/script';

test('titan onboard on a pseudo-terminal: keys in, config written', { skip: existsSync(SCRIPT) ? undefined : `${SCRIPT} is missing` }, async () => {
  const { home, cleanup } = await tempHome('titan-onboard-pty-');
  const titan = `${JSON.stringify(process.execPath)} --disable-warning=ExperimentalWarning bin/titan.js onboard`;
  const child = spawn(SCRIPT, ['-qfec', `stty cols 120 rows 40; ${titan}`, '/dev/null'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, TITAN_HOME: home, NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences of a terminal are what is removed
  child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString().replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let seen = 0;
  const at = async (text: string, keys: string) => {
    const deadline = Date.now() + 20_000;
    while (screen.indexOf(text, seen) < 0) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}"; the screen:\n${screen.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    seen = screen.indexOf(text, seen) + text.length;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: an arrow key's escape sequence is one key
    for (const key of keys.match(/\u001b\[[A-D]|[\s\S]/g) ?? []) {
      child.stdin.write(key);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  };
  try {
    await at('Which model provider', '\u001b[B\u001b[B\u001b[B\r'); // openai, anthropic, ollama, scripted
    await at('scripted server URL', '\r');
    await at('Model', '\r');
    await at('Messaging channels', '\r');
    await at('Where should Titan keep its data', '\r');
    await at('Write it?', '\r');
    assert.equal(await exited, 0, screen.slice(-2000));
    assert.deepEqual(JSON.parse(await readFile(path.join(home, 'config.json'), 'utf8')), { provider: { name: 'scripted' } });
  } finally {
    child.kill();
    await cleanup();
  }
});
