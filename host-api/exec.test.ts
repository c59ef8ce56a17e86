import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { Ajv } from 'ajv';
import { checkAllowed, exec, runCommand, runningCommands, type ExitStatus } from './exec.ts';
import type { HostServices, InstanceContext } from './types.ts';
import { HostFailure } from './workspace.ts';
import { failure } from '../test/support/host-failure.ts';

type Emitted = { callId: string | undefined; kind: string; data: string };

async function workspace(t: TestContext): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'titan-exec-')));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The import object an instance gets, with the bus replaced by a list. */
function bound(grant: Record<string, unknown>, callId = 'call-1') {
  const emitted: Emitted[] = [];
  const services = {
    emit: (_c: unknown, id: string | undefined, kind: string, data: string) => emitted.push({ callId: id, kind, data }),
  } as unknown as HostServices;
  const context: InstanceContext = { component: { kind: 'tool', name: 't', version: '1.0.0', digest: 'sha256:0' }, grant, services, callId };
  const imports = exec.bind(context, '0.2.0') as { run(command: string, cwd: string | undefined, timeoutMs: number): Promise<ExitStatus> };
  return { run: imports.run, emitted };
}

test('the grant schema compiles under ajv strict mode and refuses what it should', () => {
  const validate = new Ajv({ allErrors: true }).compile(exec.grantSchema);
  assert.ok(validate({}));
  assert.ok(validate({ workspace: '/srv/ws', shell: '/bin/bash', shellArgs: ['-lc'], maxTimeoutMs: 1000, maxOutputBytes: 10, allowedCommands: ['git', 'ls'] }));
  for (const bad of [{ workspace: 'relative' }, { shell: 'sh' }, { maxTimeoutMs: 0 }, { maxOutputBytes: -1 }, { allowedCommands: ['rm -rf'] }, { env: {} }]) {
    assert.equal(validate(bad), false, JSON.stringify(bad));
  }
});

test('runCommand streams each chunk as it arrives and keeps a character split across chunks whole', async (t) => {
  const cwd = await workspace(t);
  const chunks: Array<[string, string]> = [];
  // The command goes on only once the test has seen its first piece: output held back until the
  // command ends would never let it end (it would be stopped at its time limit instead).
  const status = await runCommand({
    command: "printf 'caf\\303'; while [ ! -e seen ]; do sleep 0.01; done; printf '\\251\\n'; echo warn >&2",
    cwd,
    timeoutMs: 10_000,
    maxOutputBytes: 1000,
    onOutput: (stream, text) => {
      if (chunks.length === 0) writeFileSync(path.join(cwd, 'seen'), '');
      chunks.push([stream, text]);
    },
  });
  assert.equal(status.timedOut, false, 'the first piece reached the test while the command ran');
  assert.equal(status.stdout, 'café\n');
  assert.equal(status.stderr, 'warn\n');
  const stdout = chunks.filter(([s]) => s === 'stdout');
  assert.deepEqual(
    stdout.map(([, text]) => text),
    ['caf', 'é\n'],
  );
  assert.ok(!stdout.some(([, text]) => text.includes('\ufffd')));
});

test('runCommand stops on an AbortSignal, and a shell that cannot start is an error', async (t) => {
  const cwd = await workspace(t);
  const controller = new AbortController();
  const pending = runCommand({ command: 'sleep 10', cwd, timeoutMs: 10000, maxOutputBytes: 100, signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  const status = await pending;
  assert.equal(status.cancelled, true);
  assert.equal(status.signal, 'SIGTERM');
  await assert.rejects(
    runCommand({ command: 'true', cwd, timeoutMs: 1000, maxOutputBytes: 100, shell: ['/no/such/shell', '-c'] }),
    (e) => e instanceof HostFailure && e.code === 'ESPAWN',
  );
  assert.equal(runningCommands(), 0);
});

test("run: events carry the call id; the time limit is the smaller of the call's and the grant's", async (t) => {
  const cwd = await workspace(t);
  const { run, emitted } = bound({ workspace: cwd, maxTimeoutMs: 300 }, 'call-42');
  assert.deepEqual(await run('echo hi', undefined, 0), { code: 0, signal: undefined, timedOut: false, cancelled: false, stdout: 'hi\n', stderr: '' });
  assert.deepEqual(emitted, [{ callId: 'call-42', kind: 'stdout', data: 'hi\n' }]);
  const started = performance.now();
  const slow = await run('sleep 5', undefined, 60000);
  assert.equal(slow.timedOut, true);
  assert.ok(performance.now() - started < 1500, "the grant's 300 ms won over the call's 60 s");
  const quick = performance.now();
  assert.equal((await run('sleep 5', undefined, 100)).timedOut, true);
  assert.ok(performance.now() - quick < 1000, 'a call may ask for less than the grant');
});

test('run: a grant with allowedCommands runs only single calls of the listed programs', async (t) => {
  const cwd = await workspace(t);
  const { run } = bound({ workspace: cwd, allowedCommands: ['echo', 'ls'] });
  assert.equal((await run('echo one two', undefined, 0)).stdout, 'one two\n');
  assert.match(await failure(run('cat /etc/passwd', undefined, 0)), /^ECOMMAND: "cat" is not one of the commands this tool may run \(echo, ls\)$/);
  for (const sneaky of [
    'echo a; cat /etc/passwd',
    'echo $(cat /etc/passwd)',
    'echo `id`',
    'ls | sh',
    'echo a\ncat x',
    'echo a > f',
    '/bin/echo a',
    'X=1 echo a',
  ]) {
    assert.match(await failure(run(sneaky, undefined, 0)), /^ECOMMAND: /, sneaky);
  }
  assert.doesNotThrow(() => checkAllowed('anything at all; really', undefined));
});

test('run: the working folder is confined, and bad commands are refused before anything starts', async (t) => {
  const cwd = await workspace(t);
  const { run, emitted } = bound({ workspace: cwd });
  assert.match(await failure(run('pwd', '..', 0)), /^TITAN_E_WORKSPACE_PATH: "\.\." contains "\.\."/);
  assert.match(await failure(run('pwd', '/', 0)), /^TITAN_E_WORKSPACE_PATH: "\/" is absolute/);
  assert.match(await failure(run('pwd', 'missing', 0)), /^ENOENT: /);
  assert.match(await failure(run('   ', undefined, 0)), /^ECOMMAND: the command is empty$/);
  assert.match(await failure(bound({ workspace: cwd, shell: '/no/such/shell' }).run('true', undefined, 0)), /^ESPAWN: cannot start \/no\/such\/shell/);
  assert.deepEqual(emitted, []);
});
