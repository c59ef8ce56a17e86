// A test peer run in a process of its own (a script beside the mesh tests, told its home and mode
// in one environment variable): ready once it sends its first message, killed and its home removed
// when the test ends.
import { type ChildProcess, fork } from 'node:child_process';
import type { TestContext } from 'node:test';
import type { Prepared } from './cluster.ts';

/** `what` names the peer in the error when it exits before it starts. */
export async function forkPeer(t: TestContext, script: string, peer: Prepared, env: Record<string, object>, what: string): Promise<ChildProcess> {
  const child = fork(script, [], {
    execArgv: ['--disable-warning=ExperimentalWarning'],
    env: { ...process.env, ...Object.fromEntries(Object.entries(env).map(([name, value]) => [name, JSON.stringify(value)])) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    await peer.cleanup();
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', () => reject(new Error(`${what} exited before it started`)));
  });
  return child;
}
