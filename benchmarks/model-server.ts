// The scripted model server in a process of its own (as a real model server would be), echo mode,
// answering at once: what the turn and start benchmarks talk to. `timeline: false` keeps no request
// (a benchmark that never reads them: kept, thousands of 200-message bodies made each request
// cost the server about 0.1 ms more CPU, on the measured turn's path).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));

export async function startModelServer(options: { timeline?: boolean } = {}): Promise<{ url: string; stop(): void }> {
  const flags = ['--quiet', ...(options.timeline === false ? ['--no-timeline'] : [])];
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'agent/llm/scripted/main.ts', ...flags], {
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
