// The Node flags and environment the `titan` command runs with, read from its shebang: a Titan this
// code starts (`titan chat` starting one, a benchmark) runs as the command would, not with Node's defaults.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SHEBANG =
  /^#!\S*env -S (.*)$/m
    .exec(readFileSync(fileURLToPath(new URL('./titan.js', import.meta.url)), 'utf8'))?.[1]
    .trim()
    .split(/\s+/) ?? [];
const NODE_AT = SHEBANG.indexOf('node');

/** The Node flags of the shebang (after `node`). */
export const TITAN_FLAGS: readonly string[] = SHEBANG.slice(NODE_AT + 1);

/** The environment the shebang sets before Node starts (MALLOC_ARENA_MAX=2), which spawning Node directly would skip. */
export const TITAN_ENV: Readonly<Record<string, string>> = Object.fromEntries(SHEBANG.slice(0, Math.max(0, NODE_AT)).map((pair) => pair.split('=', 2)));
