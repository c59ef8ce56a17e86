// The shell tool with the sandbox plugged in (what `titan start` does when Docker answers): each
// command runs in a container of its own - the workspace mounted, no network - its output streamed
// as it comes, its timeout and cancellation killing the container, and a dead engine an error,
// never a run on the host. No container is left behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { jobsSection } from '../../agent/api.ts';
import { Engine, homeLabel } from '../../agent/jobs/engine.ts';
import { sandboxShell } from '../../agent/jobs/sandbox-shell.ts';
import { cancelCall } from '../../host-api/exec.ts';
import { rejectsWithCode } from '../support/fixtures.ts';
import { recordEvents, toolKernel } from '../tools/support.ts';
import { NO_DOCKER, SOCKET } from './support.ts';

type ShellResult = { exitCode: number; signal: string | null; timedOut: boolean; cancelled: boolean; stdout: string; stderr: string };

async function sandboxed(t: TestContext, socket = SOCKET) {
  const tools = await toolKernel(t, ['shell']);
  const engine = new Engine(socket);
  tools.kernel.services.sandbox = sandboxShell(engine, jobsSection.defaults, tools.kernel.paths.home);
  const left = () =>
    execFileSync('docker', ['-H', `unix://${SOCKET}`, 'ps', '-aq', '--filter', `label=titan.home=${homeLabel(tools.kernel.paths.home)}`], {
      encoding: 'utf8',
    }).trim();
  return { ...tools, engine, left };
}

test('a shell command runs in a container: the workspace is there, the network and the host are not', { skip: NO_DOCKER }, async (t) => {
  const { kernel, workspace, engine, left } = await sandboxed(t);
  await engine.ensureImage(jobsSection.defaults.image, true);
  await writeFile(path.join(workspace, 'input.txt'), 'from the host\n');
  await mkdir(path.join(workspace, 'sub'));
  const events = recordEvents(kernel, 'sandbox-1');
  const result = (await kernel.invokeTool(
    'shell',
    { command: 'cat input.txt; test -f /.dockerenv && echo in-a-container; ls /sys/class/net; echo made > out.txt; echo oops >&2; exit 4' },
    { callId: 'sandbox-1' },
  )) as ShellResult;
  assert.deepEqual(result, { exitCode: 4, signal: null, timedOut: false, cancelled: false, stdout: 'from the host\nin-a-container\nlo\n', stderr: 'oops\n' });
  assert.equal(await readFile(path.join(workspace, 'out.txt'), 'utf8'), 'made\n', 'written in the workspace, on the host');
  assert.equal(
    events
      .filter((e) => e.kind === 'stdout')
      .map((e) => e.data)
      .join(''),
    result.stdout,
    'streamed as it came',
  );
  const inSub = (await kernel.invokeTool('shell', { command: 'pwd', cwd: 'sub' })) as ShellResult;
  assert.equal(inSub.stdout, '/workspace/sub\n');
  const host = (await kernel.invokeTool('shell', { command: `ls ${JSON.stringify(path.dirname(workspace))} 2>&1 || true` })) as ShellResult;
  assert.match(host.stdout, /No such file or directory/, 'the host beside the workspace is out of reach');
  assert.equal(left(), '', 'no container left');
});

test('a timeout or a cancel kills the command in its container', { skip: NO_DOCKER }, async (t) => {
  const { kernel, left } = await sandboxed(t);
  const started = performance.now();
  const timed = (await kernel.invokeTool('shell', { command: 'echo start; sleep 30', timeoutMs: 1500 })) as ShellResult;
  assert.equal(timed.timedOut, true);
  assert.equal(timed.stdout, 'start\n');
  assert.ok(performance.now() - started < 10_000);

  const events = recordEvents(kernel, 'sandbox-cancel');
  const call = kernel.invokeTool('shell', { command: 'echo up; sleep 30' }, { callId: 'sandbox-cancel' }) as Promise<ShellResult>;
  while (!events.some((e) => e.kind === 'stdout')) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(cancelCall('sandbox-cancel'), 1);
  const cancelled = await call;
  assert.equal(cancelled.cancelled, true);
  assert.equal(left(), '', 'no container left');
});

test('with the engine gone a command fails with TITAN_E_DOCKER_UNAVAILABLE and never runs on the host', async (t) => {
  const { kernel, workspace } = await sandboxed(t, '/nonexistent/docker.sock');
  const error = await rejectsWithCode(kernel.invokeTool('shell', { command: 'touch ran-on-the-host' }), 'TITAN_E_COMPONENT_ERROR');
  assert.match(error.message, /TITAN_E_DOCKER_UNAVAILABLE/);
  assert.equal(existsSync(path.join(workspace, 'ran-on-the-host')), false);
});
