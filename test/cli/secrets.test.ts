// `titan secrets` as a user runs it: the value comes from stdin (or a hidden prompt), never from
// the command line; list shows names only; rm removes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { SecretStore } from '../../common/secret-store.ts';
import { PROJECT_ROOT } from '../support/cli.ts';
import { tempHome } from '../support/kernel.ts';

function titan(args: string[], home: string, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/titan.js', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, TITAN_HOME: home },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

test('titan secrets set reads stdin, refuses a value on the command line, list shows names only, rm removes', async (t) => {
  const { home, cleanup } = await tempHome();
  t.after(cleanup);
  const set = await titan(['secrets', 'set', 'BRAVE_API_KEY'], home, 'BSA-from-stdin-42\n');
  assert.equal(set.code, 0, set.stderr);
  assert.equal(await (await SecretStore.open(home)).value('BRAVE_API_KEY'), 'BSA-from-stdin-42');

  const argv = await titan(['secrets', 'set', 'LEAKY', 'sk-on-the-command-line'], home);
  assert.equal(argv.code, 2);
  assert.match(argv.stderr, /TITAN_E_USAGE: a secret's value is never taken from the command line/);
  assert.equal((await SecretStore.open(home)).has('LEAKY'), false);

  const list = await titan(['secrets', 'list', '--json'], home);
  assert.deepEqual(
    JSON.parse(list.stdout).map((s: { name: string }) => s.name),
    ['BRAVE_API_KEY'],
  );
  assert.ok(!list.stdout.includes('BSA-from-stdin-42'));
  assert.ok(!(await readFile(path.join(home, 'secrets.enc'), 'utf8')).includes('BSA-from-stdin-42'));

  assert.equal((await titan(['secrets', 'rm', 'BRAVE_API_KEY'], home)).code, 0);
  const gone = await titan(['secrets', 'rm', 'BRAVE_API_KEY'], home);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /TITAN_E_SECRET_MISSING/);
});
