// The scripted model server in a process of its own (as a real model server would be), echo mode,
// answering at once: what the turn and start benchmarks talk to.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));

export async function startModelServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'agent/llm/scripted/main.ts', '--quiet'], {
    cwd: PROJECT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
      const found = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (found) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(`the scripted model server exited (${code}): ${out}`)));
  });
  return { url, stop: () => child.kill('SIGINT') };
}
