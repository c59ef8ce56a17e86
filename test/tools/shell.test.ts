// The shell tool as the agent loop meets it: deployed from components/tools/shell, called through
// the kernel, its output streamed onto the bus as it runs (component.event, kinds stdout/stderr,
// tagged with the call id), its processes confined, limited and stoppable.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { cancelCall, runningCommands } from '../../host-api/exec.ts';
import { publishComponent } from '../../kernel/publish.ts';
import { buildBuiltin, forcePublish, rejectsWithCode } from '../support/fixtures.ts';
import { openTestKernel } from '../support/kernel.ts';
import { alive, gone, recordEvents, toolKernel, withWorkspace } from './support.ts';

type ShellResult = { exitCode: number; signal: string | null; timedOut: boolean; cancelled: boolean; stdout: string; stderr: string };

test('shell describes itself as needing approval, with its input schema', async (t) => {
  const { kernel } = await toolKernel(t, ['shell']);
  const descriptor = (await kernel.call('tool', 'shell', 'describe', [])) as { name: string; needsApproval: boolean; inputSchema: string };
  assert.equal(descriptor.name, 'shell');
  assert.equal(descriptor.needsApproval, true);
  assert.deepEqual(JSON.parse(descriptor.inputSchema).required, ['command']);
  const manifest = await kernel.registry.show({ kind: 'tool', name: 'shell', version: '1.0.0' });
  assert.deepEqual([...manifest.imports].sort(), ['titan:host/exec@0.2.0', 'titan:host/log@0.2.0']);
});

test('output streams line by line while the command runs, in order, before the call resolves', async (t) => {
  const { kernel } = await toolKernel(t, ['shell']);
  const events = recordEvents(kernel, 'stream-1');
  const started = performance.now();
  const result = (await kernel.invokeTool('shell', { command: 'for i in 1 2 3; do echo $i; sleep 0.2; done' }, { callId: 'stream-1' })) as ShellResult;
  const resolved = performance.now();

  assert.equal(result.stdout, '1\n2\n3\n');
  assert.equal(result.exitCode, 0);
  const stdout = events.filter((e) => e.kind === 'stdout');
  assert.ok(stdout.length >= 3, `each line arrives as it is printed (got ${stdout.length} events)`);
  assert.equal(stdout.map((e) => e.data).join(''), '1\n2\n3\n', 'the events carry the output in order');
  assert.equal(stdout[0].data, '1\n');
  // The first line is out at once; the command sleeps 0.6 s in all before it exits.
  assert.ok(stdout[0].at - started < 300, `first line ${Math.round(stdout[0].at - started)} ms after the call`);
  assert.ok(resolved - stdout[0].at > 300, `first line ${Math.round(resolved - stdout[0].at)} ms before the call resolved`);
  for (let i = 1; i < stdout.length; i++) assert.ok(stdout[i].at >= stdout[i - 1].at);
  assert.ok(events.every((e) => e.slot === 'tool/shell' && e.version === '1.0.0'));
});

test('stderr streams and returns apart from stdout; the exit code comes back', async (t) => {
  const { kernel } = await toolKernel(t, ['shell']);
  const events = recordEvents(kernel, 'stderr-1');
  const result = (await kernel.invokeTool('shell', { command: 'echo out; echo err >&2; exit 3' }, { callId: 'stderr-1' })) as ShellResult;
  assert.deepEqual(result, { exitCode: 3, signal: null, timedOut: false, cancelled: false, stdout: 'out\n', stderr: 'err\n' });
  assert.deepEqual(events.map((e) => [e.kind, e.data]).sort(), [
    ['stderr', 'err\n'],
    ['stdout', 'out\n'],
  ]);

  const killed = (await kernel.invokeTool('shell', { command: 'kill -KILL $$' })) as ShellResult;
  assert.equal(killed.exitCode, -1);
  assert.equal(killed.signal, 'SIGKILL');
  const missing = (await kernel.invokeTool('shell', { command: 'no-such-command-titan' })) as ShellResult;
  assert.equal(missing.exitCode, 127);
  assert.match(missing.stderr, /not found/);
});

test('a command past its time limit is stopped with its whole process group', async (t) => {
  const { kernel } = await toolKernel(t, ['shell']);
  const started = performance.now();
  const result = (await kernel.invokeTool('shell', { command: 'sleep 30 & echo $!; wait', timeoutMs: 400 })) as ShellResult;
  const took = performance.now() - started;
  const pid = Number(result.stdout.trim());
  assert.ok(pid > 0, `the child's pid was printed: ${JSON.stringify(result.stdout)}`);
  assert.equal(result.timedOut, true);
  assert.equal(result.cancelled, false);
  assert.equal(result.exitCode, -1);
  assert.equal(result.signal, 'SIGTERM');
  assert.ok(took >= 400 && took < 2500, `stopped after ${Math.round(took)} ms`);
  assert.ok(await gone(pid), 'the child sleep 30 is gone too');
  assert.equal(runningCommands(), 0);
});

test('a child that ignores SIGTERM is killed after the grace period', async (t) => {
  const { kernel } = await toolKernel(t, ['shell']);
  const result = (await kernel.invokeTool('shell', {
    command: "sh -c 'trap \"\" TERM; sleep 30' & echo $!; trap '' TERM; wait",
    timeoutMs: 300,
  })) as ShellResult;
  const pid = Number(result.stdout.trim());
  assert.equal(result.timedOut, true);
  assert.ok(await gone(pid, 3000), 'the stubborn child is gone after SIGKILL');
});

test("output beyond the grant's maxOutputBytes is dropped, and the command still runs to its end", async (t) => {
  const { kernel } = await toolKernel(t, ['shell'], { exec: { maxOutputBytes: 1000 } });
  const events = recordEvents(kernel, 'cap-1');
  const result = (await kernel.invokeTool('shell', { command: "head -c 200000 /dev/zero | tr '\\0' a; echo done >&2" }, { callId: 'cap-1' })) as ShellResult;
  assert.equal(result.exitCode, 0, 'the command was not blocked by a full pipe');
  assert.equal(result.stdout, 'a'.repeat(1000) + '\n[output cut at 1000 bytes]\n');
  assert.equal(result.stderr, 'done\n');
  assert.equal(
    events
      .filter((e) => e.kind === 'stdout')
      .map((e) => e.data)
      .join(''),
    result.stdout,
    'what streamed is what was kept',
  );
});

test("secrets in the kernel's environment never reach the command", async (t) => {
  const { kernel } = await toolKernel(t, ['shell']);
  process.env.TITAN_TEST_SECRET = 'hunter2-secret';
  t.after(() => delete process.env.TITAN_TEST_SECRET);
  const result = (await kernel.invokeTool('shell', { command: 'echo "[$TITAN_TEST_SECRET]"; env' })) as ShellResult;
  assert.ok(result.stdout.startsWith('[]\n'), result.stdout);
  assert.doesNotMatch(result.stdout, /hunter2/);
  const names = result.stdout
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => line.slice(0, line.indexOf('=')));
  // The shell itself adds PWD, SHLVL and _; nothing else of the kernel's comes through.
  assert.deepEqual(
    names.filter((n) => !['PATH', 'HOME', 'LANG', 'PWD', 'SHLVL', '_', 'OLDPWD'].includes(n)),
    [],
  );
});

test("cancelCall(callId) stops the call's running command and its children", async (t) => {
  const { kernel } = await toolKernel(t, ['shell']);
  const events = recordEvents(kernel, 'cancel-1');
  const started = performance.now();
  const call = kernel.invokeTool('shell', { command: 'sleep 30 & echo $!; wait' }, { callId: 'cancel-1' }) as Promise<ShellResult>;
  while (!events.some((e) => e.kind === 'stdout')) await new Promise((resolve) => setTimeout(resolve, 5));
  const pid = Number(events[0].data.trim());
  assert.ok(alive(pid));
  assert.equal(runningCommands('cancel-1'), 1);
  assert.equal(cancelCall('other-call'), 0, "another call's id stops nothing");
  assert.equal(cancelCall('cancel-1'), 1);
  const result = await call;
  assert.equal(result.cancelled, true);
  assert.equal(result.timedOut, false);
  assert.ok(performance.now() - started < 2000);
  assert.ok(await gone(pid), 'the child is gone');
  assert.equal(runningCommands('cancel-1'), 0);
});

test('the working folder is confined to the workspace', async (t) => {
  const { kernel, workspace } = await toolKernel(t, ['shell']);
  await mkdir(path.join(workspace, 'sub'));
  assert.equal(((await kernel.invokeTool('shell', { command: 'pwd' })) as ShellResult).stdout, `${workspace}\n`);
  assert.equal(((await kernel.invokeTool('shell', { command: 'pwd', cwd: 'sub' })) as ShellResult).stdout, `${path.join(workspace, 'sub')}\n`);
  for (const cwd of ['..', '../outside', '/tmp', 'sub/../..']) {
    const error = await rejectsWithCode(kernel.invokeTool('shell', { command: 'pwd', cwd }), 'TITAN_E_COMPONENT_ERROR');
    assert.match(error.message, /invalid-input: TITAN_E_WORKSPACE_PATH: /, cwd);
  }
  const missing = await rejectsWithCode(kernel.invokeTool('shell', { command: 'pwd', cwd: 'nope' }), 'TITAN_E_COMPONENT_ERROR');
  assert.match(missing.message, /invalid-input: ENOENT: "nope" does not exist/);
  const bad = await rejectsWithCode(kernel.invokeTool('shell', { command: '' }), 'TITAN_E_COMPONENT_ERROR');
  assert.match(bad.message, /invalid-input: "command" must be a non-empty string/);
});

test('a tool whose manifest does not declare exec cannot link a binary that imports it', async (t) => {
  const { kernel, cleanup } = await openTestKernel();
  t.after(cleanup);
  const built = await buildBuiltin('shell');
  const { exec: _exec, ...withoutExec } = built.manifest.capabilities;
  await rejectsWithCode(publishComponent(kernel, { ...built, manifest: { ...built.manifest, capabilities: withoutExec } }), 'TITAN_E_UNDECLARED_IMPORT');
  // And a grant the exec schema refuses is refused at link time too.
  const bad = withWorkspace(built.manifest, 'relative/path');
  await rejectsWithCode(publishComponent(kernel, { ...built, manifest: bad }), 'TITAN_E_CAPABILITY_INVALID');
  assert.deepEqual(await kernel.registry.list({ includeYanked: true }), []);
  // Forced into the registry past those checks, it still cannot serve.
  const forced = await forcePublish(kernel, built, (input) => ({ ...input, capabilities: withoutExec }));
  await rejectsWithCode(kernel.deployManifest(forced), 'TITAN_E_UNDECLARED_IMPORT');
  assert.equal(
    kernel.components().some((c) => c.slot === 'tool/shell'),
    false,
  );
});
