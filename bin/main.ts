// `titan <command>`: parses the command line and hands over to bin/commands/.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TitanError } from '../common/errors.ts';
import { printError, type Out } from './output.ts';
export type Args = { positionals: string[]; values: Record<string, string | boolean | undefined>; out: Out };
type Command = (args: Args) => Promise<number>;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  backend: { type: 'string' },
  publish: { type: 'boolean' },
  sign: { type: 'boolean' },
  kind: { type: 'string' },
  all: { type: 'boolean' },
  reason: { type: 'string' },
  why: { type: 'string' },
  by: { type: 'string' },
  state: { type: 'string' },
  'dry-run': { type: 'boolean' },
  approval: { type: 'string' },
  timeout: { type: 'string' },
  'bearer-env': { type: 'string' },
  'bearer-secret': { type: 'string' },
} satisfies ParseArgsConfig['options'];

// Each command's module loads when it runs: `titan start` need not load the libp2p stack unless
// the mesh is on, and a quick `titan components` loads only what it uses.
const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./commands/start.ts')).startCommand,
  build: async () => (await import('./commands/build.ts')).buildCommand,
  registry: async () => (await import('./commands/registry.ts')).registryCommand,
  kernel: async () => (await import('./commands/kernel.ts')).kernelCommand,
  components: async () => (await import('./commands/components.ts')).componentsCommand,
  call: async () => (await import('./commands/call.ts')).callCommand,
  db: async () => (await import('./commands/db.ts')).dbCommand,
  mesh: async () => (await import('./commands/mesh.ts')).meshCommand,
  pairing: async () => (await import('./commands/pairing.ts')).pairingCommand,
  reflex: async () => (await import('./commands/reflex.ts')).reflexCommand,
  secrets: async () => (await import('./commands/secrets.ts')).secretsCommand,
  mcp: async () => (await import('./commands/mcp.ts')).mcpCommand,
};

export const USAGE = `titan - the Titan agent engine

  titan start                              run the kernel (built-ins built and deployed on first start)
  titan build DIR [--backend quickjs|starlingmonkey] [--publish] [--sign]
  titan registry publish DIR [--sign]      build a component folder and publish it
  titan registry list [--kind K] [--all]   published components (--all: with yanked)
  titan registry show REF@VERSION          one manifest (REF is [kind/]name)
  titan registry resolve REF[@RANGE]       the version a semver range picks
  titan registry verify                    re-hash every blob, check every manifest and signature
  titan registry yank REF@VERSION --reason TEXT
  titan registry gc [--dry-run]            remove unreferenced blobs and leftovers of crashed writes
  titan registry export FILE.tar | import FILE.tar
  titan kernel patches [--state S]         the patch queue
  titan kernel propose REF[@RANGE] [--why TEXT]
  titan kernel approve|reject|deploy ID [--why TEXT]
  titan kernel rollback ID|KIND/NAME       undo a patch, or put a slot's previous version back
  titan components                         slots, serving versions, instance counts
  titan call [KIND/]NAME JSON              call a tool (or FN of another kind with KIND/NAME#FN)
  titan db migrate|status                  bring the database schema forward / show where it is
  titan db export FILE.jsonl | import FILE.jsonl   move data between libSQL and PostgreSQL
  titan mesh status|peers                  this node's mesh: peer id, addresses, peers, tasks
  titan mesh allow|deny PEER_ID            admit or refuse a peer (takes effect at once)
  titan mesh keygen FILE                   write a pre-shared key for a private mesh (mesh.pskFile)
  titan pairing list [--state S]           senders who wrote to a channel, with their pairing codes
  titan pairing approve|deny CODE          let a channel sender reach the agent, or ignore them
  titan reflex list [--state S]            reflexes compiled from recurring requests, with hits and misses
  titan reflex show|suspend|resume|delete NAME [--why TEXT]
  titan secrets set NAME                   store a secret, typed at a hidden prompt or piped on stdin
  titan secrets list | rm NAME             the stored secrets' names (never their values) / remove one
  titan mcp add NAME [--approval always|never|ask] [--timeout MS] -- COMMAND [ARGS...]
  titan mcp add NAME URL [--bearer-env VAR | --bearer-secret NAME]   an MCP server over Streamable HTTP
  titan mcp list | rm NAME | tools [NAME]  the MCP servers the agent uses, and their tools
  titan mcp serve                          Titan's tools to an MCP client, over stdio

Every command takes --json. State lives in $TITAN_HOME (default ~/.titan).`;

export async function main(argv: string[]): Promise<number> {
  let out: Out = { json: argv.includes('--json') };
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    out = { json: values.json === true };
    const [name, ...rest] = positionals;
    if (!name || values.help || name === 'help') {
      process.stdout.write(USAGE + '\n');
      return name || values.help ? 0 : 2;
    }
    const command = COMMANDS[name];
    if (!command) throw new TitanError('TITAN_E_USAGE', `unknown command "${name}"`);
    return await (await command())({ positionals: rest, values: values as Args['values'], out });
  } catch (error) {
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      return printError(out, new TitanError('TITAN_E_USAGE', error.message));
    }
    return printError(out, error);
  }
}
