// One `titan start` as users run it (the Node flags and environment of the `titan` command's shebang), timed from
// spawn to the first 200 of /api/ready (polled every 5 ms), then stopped with SIGINT: shared by the
// benchmarks that time a start.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../test/support/free-port.ts';
import { fileURLToPath } from 'node:url';

import { TITAN_ENV, TITAN_FLAGS } from '../bin/node-flags.ts';

export { TITAN_ENV, TITAN_FLAGS };

const PROJECT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Starts Titan on `home` with `env` added, waits for ready (at most `limitMs`), runs `atReady` with
 * the server's process and what it has printed so far, and stops it. Returns ms to ready and atReady's answer.
 */
export async function timeStart<T>(
  home: string,
  env: Record<string, string>,
  limitMs: number,
  atReady: (child: ChildProcess, output: () => string, url: string) => Promise<T> | T,
): Promise<{ readyMs: number; value: T }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...TITAN_FLAGS, '--disable-warning=ExperimentalWarning', 'bin/titan.js', 'start'], {
    cwd: PROJECT,
    env: { ...process.env, ...TITAN_ENV, TITAN_HOME: home, TITAN_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`titan start exited with ${child.exitCode}:\n${output}`);
      if (performance.now() - started > limitMs) throw new Error(`not ready within ${limitMs / 1000} s:\n${output}`);
      const ok = await fetch(`http://127.0.0.1:${port}/api/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const readyMs = performance.now() - started;
    return { readyMs, value: await atReady(child, () => output, `http://127.0.0.1:${port}`) };
  } finally {
    child.kill('SIGINT');
    await exited;
  }
}
