// An installed Titan as the install tests run it: the package packed once (`npm pack`, prepack
// building the built-ins from the tests' shared cache), `titan start` spawned in a process group of
// its own and stopped with it, and its HTTP API used as a user's client would.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './cli.ts';
import { TEST_CACHE } from './kernel.ts';

export const run = promisify(execFile);

/** `npm pack` of this checkout into `dir`; the tarball's path. */
export async function packTitan(dir: string): Promise<string> {
  const env = { ...process.env, TITAN_PREBUILD_CACHE: TEST_CACHE };
  const { stdout } = await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: PROJECT_ROOT, env, maxBuffer: 16 * 1024 * 1024 });
  return path.join(dir, stdout.trim().split('\n').at(-1) ?? '');
}

const alive = (group: number) => {
  try {
    process.kill(group, 0);
    return true;
  } catch {
    return false;
  }
};

export type Started = {
  child: ChildProcess;
  /** The gateway's address, once it is up. */
  url: Promise<string>;
  /** What `titan start` printed so far. */
  output(): string;
};

/**
 * `titan start` by `command` (npx, or the global `titan`), in its own process group: npx runs titan
 * as a child of its own and does not pass a stop on, so stop() reaches the whole group.
 */
export function startInstalled(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Started {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /gateway on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (found) resolve(found);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`titan start exited with ${code}:\n${output}`)));
  });
  return { child, url, output: () => output };
}

/** Stops a started Titan's process group (SIGKILL after 15 s), or it outlives the test and holds its pipes open. */
export async function stopGroup(child: ChildProcess): Promise<void> {
  const group = -(child.pid as number);
  const signal = (name: NodeJS.Signals) => alive(group) && process.kill(group, name);
  signal('SIGTERM');
  const deadline = Date.now() + 15_000;
  while (alive(group) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  signal('SIGKILL');
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** Waits for /api/ready (the gateway answers while start-up finishes) and for the start line; the last ready response. */
export async function waitServing(started: Started): Promise<Response> {
  const url = await started.url;
  let ready = await fetch(`${url}/api/ready`);
  for (const deadline = Date.now() + 120_000; ready.status !== 200 && Date.now() < deadline; ready = await fetch(`${url}/api/ready`)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  // The start line comes once every part is up, which can be after ready.
  for (const end = Date.now() + 60_000; !/serving \d+ ms after the process started/.test(started.output()) && Date.now() < end; )
    await new Promise((resolve) => setTimeout(resolve, 200));
  return ready;
}

export type Api = <T>(method: string, route: string, body?: unknown) => Promise<T>;

/** The gateway's API with the home's token. */
export async function apiOf(url: string, home: string): Promise<{ api: Api; token: string }> {
  const token = (await readFile(path.join(home, 'gateway-token'), 'utf8')).trim();
  const api: Api = async <T>(method: string, route: string, body?: unknown) => {
    const response = await fetch(url + route, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return (await response.json()) as T;
  };
  return { api, token };
}

export type Message = { role: string; content: string };

/** Sends a message on a new thread; its messages once one of them holds `expected` (or after 30 s). */
export async function turn(api: Api, text: string, expected: string): Promise<Message[]> {
  const thread = await api<{ id: string }>('POST', '/api/threads', {});
  await api('POST', `/api/threads/${thread.id}/messages`, { text });
  let messages: Message[] = [];
  for (const end = Date.now() + 30_000; Date.now() < end && !messages.some((m) => m.content.includes(expected)); ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    messages = (await api<{ messages: Message[] }>('GET', `/api/threads/${thread.id}/messages`)).messages;
  }
  return messages;
}
