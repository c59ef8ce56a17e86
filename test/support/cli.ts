// Runs the real `titan` command (bin/titan.js on this Node) against a TITAN_HOME.
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Every test gives `titan` a fresh TITAN_HOME, whose compile cache (bin/titan.js) would start empty
 * each time: as a user's second run, the commands share one (Node keys it by file content and version),
 * which halves a command's CPU when it runs from source.
 */
const SHARED_COMPILE_CACHE = { NODE_COMPILE_CACHE: path.join(os.tmpdir(), 'titan-test-compile-cache') };

export type CliResult = { code: number | null; stdout: string; stderr: string };

export function runTitan(
  args: string[],
  home: string,
  options: { untilOutput?: string; thenSignal?: NodeJS.Signals; env?: NodeJS.ProcessEnv; node?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/titan.js', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...SHARED_COMPILE_CACHE, ...process.env, TITAN_HOME: home, TITAN_PORT: '0', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.untilOutput && !signalled && stdout.includes(options.untilOutput)) {
        signalled = true;
        child.kill(options.thenSignal ?? 'SIGTERM');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A `titan start` left running for a suite: its process and everything it printed so far. */
export type RunningTitan = { child: ChildProcess; output(): string };

/** Starts `titan start` on the home and resolves once it has printed `readyText`; rejects if it exits first. */
export async function startTitan(home: string, readyText: string, env: NodeJS.ProcessEnv = {}): Promise<RunningTitan> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/titan.js', 'start'], {
    cwd: PROJECT_ROOT,
    env: { ...SHARED_COMPILE_CACHE, ...process.env, TITAN_HOME: home, TITAN_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (output.includes(readyText)) {
        clearInterval(check);
        resolve();
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(check);
      reject(new Error(`kernel exited with ${code}:\n${output}`));
    });
  });
  return { child, output: () => output };
}

/** SIGTERM, and SIGKILL if it has not exited after `graceMs`: a stuck shutdown fails no suite by hanging it. */
export async function stopTitan(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
