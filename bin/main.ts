// `titan <command>`: the verbs, each declared by its own module in bin/commands/, parsed by commander.
//
// Adding a verb (the pattern every verb follows):
//   1. bin/commands/<verb>.ts exports `register(program: Command)`, which declares the verb with
//      commander next to its code: `program.command('x')`, its subverbs, `.argument(...)`, its own
//      `.option(...)`s (a verb accepts only the flags it declares; --json is global), `.description`,
//      `examples(cmd, [...])`, and `act(cmd, handler)` (bin/cli.ts) for each action. A handler gets
//      { positionals, values, out } and returns the exit code; it throws TitanError for what the user
//      must change (TITAN_E_USAGE exits 2).
//   2. One line in VERBS below.
// Keep the module's top-level imports light (types, small helpers): a verb's heavy parts (the kernel,
// the gateway, libp2p, the MCP SDK) are imported inside its handler, so reading commands stay fast
// and `titan --help` (which loads every verb's module) too.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createProgram, run } from './cli.ts';
import { printError, type Out } from './output.ts';

export type { Args } from './cli.ts';

type Verb = { register(program: Command): void };

const VERBS: Record<string, () => Promise<Verb>> = {
  start: () => import('./commands/start.ts'),
  build: () => import('./commands/build.ts'),
  registry: () => import('./commands/registry.ts'),
  kernel: () => import('./commands/kernel.ts'),
  components: () => import('./commands/components.ts'),
  call: () => import('./commands/call.ts'),
  db: () => import('./commands/db.ts'),
  mesh: () => import('./commands/mesh.ts'),
  pairing: () => import('./commands/pairing.ts'),
  reflex: () => import('./commands/reflex.ts'),
  memory: () => import('./commands/memory.ts'),
  secrets: () => import('./commands/secrets.ts'),
  mcp: () => import('./commands/mcp.ts'),
  job: () => import('./commands/job.ts'),
  swarm: () => import('./commands/swarm.ts'),
  goal: () => import('./commands/goal.ts'),
  plan: () => import('./commands/plan.ts'),
  step: () => import('./commands/step.ts'),
  profile: () => import('./commands/profile.ts'),
  doctor: () => import('./commands/doctor.ts'),
  new: () => import('./commands/new.ts'),
  security: () => import('./commands/security.ts'),
  chat: () => import('./commands/chat.ts'),
  onboard: () => import('./commands/onboard.ts'),
  'code-graph': () => import('./commands/code-graph.ts'),
  routine: () => import('./commands/routine.ts'),
  completion: () => import('./commands/completion.ts'),
};

// Verbs that read the whole command tree.
const NEEDS_ALL = new Set(['completion']);

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The verbs to load: only the one named (`titan registry list`, `titan help registry`), or all for the overview. */
function wanted(argv: string[]): string[] {
  const words = argv.filter((w) => !w.startsWith('-'));
  // `titan --version` needs no verb at all.
  if (words.length === 0 && (argv.includes('--version') || argv.includes('-V'))) return [];
  const name = words[0] === 'help' ? words[1] : words[0];
  return name && VERBS[name] && !NEEDS_ALL.has(name) ? [name] : Object.keys(VERBS);
}

/** The program with the verbs argv needs registered. */
export async function loadProgram(argv: string[]): Promise<Command> {
  const program = createProgram(VERSION);
  for (const verb of await Promise.all(wanted(argv).map((name) => VERBS[name]()))) verb.register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const out: Out = { json: argv.includes('--json') };
  try {
    return await run(await loadProgram(argv), argv);
  } catch (error) {
    return printError(out, error);
  }
}
