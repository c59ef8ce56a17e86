// `titan mcp add|list|rm|tools|serve`: the MCP servers the agent uses, kept in the mcp section of
// $TITAN_HOME/config.json. A running kernel picks a change up at once (its mcp routes, through the control socket);
// without one, the CLI starts the server itself to show that it works and what tools it brings.
import { TitanError } from '../../common/errors.ts';
import { homePaths, titanHome } from '../../common/home.ts';
import type { McpClients } from '../../agent/mcp/clients.ts';
import type { McpServerConfig } from '../../agent/mcp/config.ts';
import type { McpServerView, McpToolView } from '../../agent/mcp/service.ts';
import type { Command } from 'commander';
import { act, examples, type Args } from '../cli.ts';
import { print, table } from '../output.ts';
import { runningClient, type Client } from '../client.ts';

const USAGE =
  'titan mcp add NAME [--approval always|never|ask] [--timeout MS] -- COMMAND [ARGS...]\n' +
  '       titan mcp add NAME URL [--bearer-env VAR | --bearer-secret NAME] [--approval ...] [--timeout MS]\n' +
  '       titan mcp list | rm NAME | tools [NAME] | serve';

const configFile = () => homePaths(titanHome()).config;

function where(config: McpServerConfig): string {
  if (config.url)
    return `${config.url}${config.bearerEnv ? ` (bearer from $${config.bearerEnv})` : config.bearerSecret ? ` (bearer from secret ${config.bearerSecret})` : ''}`;
  return [config.command, ...(config.args ?? [])].join(' ');
}

function entryFrom(rest: string[], values: Args['values']): Partial<McpServerConfig> {
  const entry: Partial<McpServerConfig> = {};
  const [first, ...args] = rest;
  if (!first) throw new TitanError('TITAN_E_USAGE', `a command (after --) or a URL is needed\n${USAGE}`);
  if (/^https?:\/\//.test(first) && args.length === 0) entry.url = first;
  // Relative paths in the command keep meaning what they meant where `titan mcp add` ran.
  else Object.assign(entry, { command: first, ...(args.length ? { args } : {}), cwd: process.cwd() });
  if (typeof values.approval === 'string') entry.approval = values.approval as McpServerConfig['approval'];
  if (typeof values.timeout === 'string') {
    const ms = Number(values.timeout);
    if (!Number.isInteger(ms)) throw new TitanError('TITAN_E_USAGE', `--timeout takes milliseconds, not "${values.timeout}"`);
    entry.timeoutMs = ms;
  }
  if (typeof values.bearerEnv === 'string') entry.bearerEnv = values.bearerEnv;
  if (typeof values.bearerSecret === 'string') entry.bearerSecret = values.bearerSecret;
  return entry;
}

/** Without a kernel: the configured servers (or one of them) started for this command, then stopped. */
async function probe<T>(only: string | undefined, fn: (clients: McpClients) => T): Promise<T> {
  const { readMcpSection } = await import('../../agent/mcp/config.ts');
  const section = await readMcpSection(configFile());
  if (only && !section.servers[only]) throw new TitanError('TITAN_E_MCP_UNKNOWN_SERVER', `no MCP server named "${only}"`);
  // The MCP SDK loads only when a server is started here.
  const { McpClients } = await import('../../agent/mcp/clients.ts');
  const { SecretStore } = await import('../../common/secret-store.ts');
  const secrets = await SecretStore.open(titanHome());
  const clients = new McpClients({ secret: (name) => secrets.value(name) });
  try {
    await clients.apply(only ? { servers: { [only]: section.servers[only] } } : section);
    return fn(clients);
  } finally {
    await clients.close();
  }
}

function stateLine(s: Pick<McpServerView, 'name' | 'state' | 'tools' | 'lastError'>): string {
  return s.state === 'up' ? `${s.name}: up, ${s.tools} tools` : `${s.name}: ${s.state}${s.lastError ? ` (${s.lastError.code}: ${s.lastError.message})` : ''}`;
}

async function servers(client: Client | null): Promise<Array<Partial<McpServerView> & { name: string; config: McpServerConfig }>> {
  if (client) return (await client.request<{ servers: McpServerView[] }>('GET', '/api/mcp/servers')).servers;
  const { readMcpSection } = await import('../../agent/mcp/config.ts');
  const section = await readMcpSection(configFile());
  return Object.entries(section.servers).map(([name, config]) => ({ name, config, state: undefined }));
}

export async function mcpCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, name, ...rest] = positionals;
  const client = verb === 'serve' ? null : await runningClient();
  // The config's validator (ajv) loads only when a verb reads or writes the config.
  const { serverEntry, updateMcpSection } = await import('../../agent/mcp/config.ts');
  switch (verb) {
    case 'add': {
      if (!name) throw new TitanError('TITAN_E_USAGE', USAGE);
      const entry = serverEntry(name, entryFrom(rest, values));
      let replaced = false;
      await updateMcpSection(configFile(), (section) => {
        replaced = section.servers[name] !== undefined;
        section.servers[name] = entry;
      });
      const status = client
        ? (await client.request<{ servers: McpServerView[] }>('POST', '/api/mcp/reload')).servers.find((s) => s.name === name)!
        : await probe(name, (c) => ({ ...c.status()[0], toolNames: c.tools().map((t) => t.name) }));
      const tools = client
        ? (await client.request<{ tools: McpToolView[] }>('GET', `/api/mcp/servers/${name}/tools`)).tools.map((t) => t.name)
        : (status as { toolNames: string[] }).toolNames;
      print(out, { name, config: entry, replaced, running: client !== null, state: status.state, lastError: status.lastError, tools }, () =>
        [
          `${replaced ? 'replaced' : 'added'} MCP server ${name}: ${where(entry)} (approval: ${entry.approval})`,
          stateLine(status) + (tools.length ? `: ${tools.join(', ')}` : ''),
          client ? 'the running agent can use its tools now' : 'the agent uses its tools from the next start (npm start)',
        ].join('\n'),
      );
      return status.state === 'up' ? 0 : 1;
    }
    case 'rm': {
      if (!name) throw new TitanError('TITAN_E_USAGE', 'titan mcp rm NAME');
      await updateMcpSection(configFile(), (section) => {
        if (!section.servers[name]) throw new TitanError('TITAN_E_MCP_UNKNOWN_SERVER', `no MCP server named "${name}"`);
        delete section.servers[name];
      });
      if (client) await client.request('POST', '/api/mcp/reload');
      print(out, { removed: name }, () => `removed MCP server ${name}${client ? '; it was stopped' : ''}`);
      return 0;
    }
    case 'list': {
      const list = await servers(client);
      const rows = list.map((s) => ({
        name: s.name,
        state: s.state ?? 'not running',
        tools: s.tools ?? '-',
        restarts: s.restarts ?? '-',
        approval: s.config.approval,
        server: where(s.config),
        error: s.lastError ? `${s.lastError.code}: ${s.lastError.message}` : '',
      }));
      print(out, list, () =>
        rows.length
          ? table(rows, ['name', 'state', 'tools', 'restarts', 'approval', 'server', 'error'])
          : 'no MCP servers: add one with `titan mcp add NAME -- COMMAND ARGS...`',
      );
      return 0;
    }
    case 'tools': {
      const tools: McpToolView[] = client
        ? (await client.request<{ tools: McpToolView[] }>('GET', name ? `/api/mcp/servers/${name}/tools` : '/api/mcp/tools')).tools
        : await probe(name, (c) =>
            c.tools().map(({ name: n, server, tool, description, schema, needsApproval, available }) => ({
              name: n,
              server,
              tool,
              description,
              schema,
              needsApproval,
              available,
            })),
          );
      const rows = tools.map((t) => ({
        tool: t.name,
        approval: t.needsApproval ? 'asks' : 'runs',
        available: t.available ? 'yes' : 'no',
        description: t.description.split('\n')[0].slice(0, 80),
      }));
      print(out, tools, () => table(rows, ['tool', 'approval', 'available', 'description']));
      return 0;
    }
    case 'serve': {
      const { serveStdio } = await import('../mcp-serve.ts');
      return serveStdio();
    }
    default:
      throw new TitanError('TITAN_E_USAGE', verb ? `unknown mcp verb "${verb}"\n${USAGE}` : USAGE);
  }
}

export function register(program: Command): void {
  const mcp = program.command('mcp').description("the MCP servers the agent uses (the config's mcp section), and Titan as an MCP server");
  examples(
    act(
      mcp
        .command('add')
        .description('add (or replace) an MCP server: a command over stdio (after --), or a URL over Streamable HTTP')
        .argument('<name>', "the server's name (its tools are named NAME.tool)")
        .argument('[command...]', 'after --: the command and its arguments; or the URL')
        .option('--approval <policy>', 'whether its tool calls ask first: always, never or ask (default: the tool says)')
        .option('--timeout <ms>', "a call's time limit in milliseconds")
        .option('--bearer-env <var>', 'for a URL: the bearer token from this environment variable')
        .option('--bearer-secret <name>', 'for a URL: the bearer token from this stored secret'),
      mcpCommand,
      ['add'],
    ),
    [
      'titan mcp add fs -- npx @modelcontextprotocol/server-filesystem ~/notes',
      'titan mcp add docs https://mcp.example.com/mcp --bearer-secret DOCS_TOKEN --approval never',
    ],
  );
  examples(act(mcp.command('list').description('the servers, their state and tool counts'), mcpCommand, ['list']), ['titan mcp list', 'titan mcp list --json']);
  examples(act(mcp.command('rm').description('remove a server (stopped at once on a running kernel)').argument('<name>'), mcpCommand, ['rm']), [
    'titan mcp rm fs',
  ]);
  examples(act(mcp.command('tools').description('the tools the servers bring (or one server)').argument('[name]', 'one server'), mcpCommand, ['tools']), [
    'titan mcp tools',
    'titan mcp tools fs --json',
  ]);
  examples(act(mcp.command('serve').description("Titan's tools to an MCP client, over stdio"), mcpCommand, ['serve']), [
    'claude mcp add titan -- npx titan mcp serve',
  ]);
}
