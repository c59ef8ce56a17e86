// A benchmark that reads memory after full collections: run under --expose-gc with the titan
// command's flags and environment (MALLOC_ARENA_MAX, 2 MB semi-spaces), so its figures are Titan's as
// users run it; without them Node's young generation and glibc's arenas grow and read as churn.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TITAN_ENV, TITAN_FLAGS } from '../bin/node-flags.ts';

/** `gc` when this process has it; otherwise runs `script` again in a child that has it and exits with its status. */
export function gcOrRerun(script: string): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) return gc;
  const args = [...TITAN_FLAGS, '--expose-gc', '--disable-warning=ExperimentalWarning', fileURLToPath(script), ...process.argv.slice(2)];
  const child = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, ...TITAN_ENV } });
  process.exit(child.status ?? 1);
}
