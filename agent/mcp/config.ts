// The `mcp` section of $TITAN_HOME/config.json: the MCP servers the agent uses, each a stdio command
// or a Streamable HTTP URL, with its approval policy and time limit. Read and written here only.
import type { ValidateFunction } from 'ajv';
import { newAjv } from '../../common/ajv.ts';
import { OWN_SCHEMAS } from '../../common/own-schemas.ts';
import { readJsonFile, writeJsonAtomic } from '../../common/atomic-file.ts';
import { TitanError } from '../../common/errors.ts';
import { defineSection } from '../../common/config-section.ts';

/**
 * `always`: every call asks the owner first. `never`: no call asks. `ask` (the default): calls ask
 * unless the server marks the tool read-only (its `readOnlyHint`). A stdio server already runs with
 * the user's own rights, so its hint is believed; `always` is for servers one does not trust.
 */
export type McpApproval = 'always' | 'never' | 'ask';

export type McpServerConfig = {
  /** stdio: the command and its arguments (no shell). */
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Streamable HTTP: the endpoint, and where its bearer token comes from (never the token itself). */
  url?: string;
  bearerEnv?: string;
  bearerSecret?: string;
  approval: McpApproval;
  /** Time limit of one tool call; past it the call fails and the server is restarted. */
  timeoutMs: number;
};

export type McpSection = { servers: Record<string, McpServerConfig> };

export const MCP_DEFAULTS = { approval: 'ask' as McpApproval, timeoutMs: 60_000 };
/** Server names become tool-name prefixes (`fs__read_file`): short, and never containing `__`. */
export const SERVER_NAME = /^[a-z][a-z0-9-]{0,23}$/;

const serverSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    command: { type: 'string', minLength: 1 },
    args: { type: 'array', items: { type: 'string' } },
    env: { type: 'object', additionalProperties: { type: 'string' } },
    cwd: { type: 'string', minLength: 1 },
    url: { type: 'string', pattern: '^https?://' },
    bearerEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    bearerSecret: { type: 'string', minLength: 1 },
    approval: { enum: ['always', 'never', 'ask'] },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 3_600_000 },
  },
  oneOf: [
    { required: ['command'], not: { required: ['url'] } },
    { required: ['url'], not: { required: ['command'] } },
  ],
};
export const sectionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { servers: { type: 'object', propertyNames: { pattern: SERVER_NAME.source }, additionalProperties: serverSchema } },
};
/** Compiled when a config first has an mcp section (compiling costs a start tens of ms). */
let compiled: ValidateFunction | undefined;

/** The section with defaults filled in; a wrong one is refused with the field named. */
export function parseMcpSection(raw: unknown, where: string): McpSection {
  if (raw === undefined) return { servers: {} };
  const section = structuredClone(raw);
  const validateSection = (compiled ??= newAjv({ allErrors: true, ...OWN_SCHEMAS }).compile(sectionSchema));
  if (!validateSection(section)) {
    const why = (validateSection.errors ?? [])
      .map((e) => {
        const allowed = e.keyword === 'enum' ? ` (${(e.params.allowedValues as string[]).join(', ')})` : '';
        return `${e.instancePath || '/'} ${e.message}${allowed}`;
      })
      .join('; ');
    throw new TitanError('TITAN_E_MCP_CONFIG', `the mcp section of ${where}: ${why}`);
  }
  const typed = section as { servers?: Record<string, Partial<McpServerConfig>> };
  const servers: Record<string, McpServerConfig> = {};
  for (const [name, server] of Object.entries(typed.servers ?? {})) servers[name] = { ...MCP_DEFAULTS, ...server };
  return { servers };
}

export async function readMcpSection(configFile: string): Promise<McpSection> {
  const config = await readJsonFile<Record<string, unknown>>(configFile, {});
  return parseMcpSection(config.mcp, configFile);
}

/** Changes the mcp section and nothing else in the file; `change` may throw to leave it untouched. */
export async function updateMcpSection(configFile: string, change: (section: McpSection) => void): Promise<McpSection> {
  const config = await readJsonFile<Record<string, unknown>>(configFile, {});
  const section = parseMcpSection(config.mcp, configFile);
  change(section);
  const checked = parseMcpSection(section, configFile);
  await writeJsonAtomic(configFile, { ...config, mcp: checked });
  return checked;
}

/** One server's entry, checked; what `titan mcp add` stores. */
export function serverEntry(name: string, entry: Partial<McpServerConfig>): McpServerConfig {
  if (!SERVER_NAME.test(name)) {
    throw new TitanError('TITAN_E_MCP_CONFIG', `"${name}" is not a server name`, { fix: 'use 1-24 lowercase letters, digits and -, starting with a letter' });
  }
  return parseMcpSection({ servers: { [name]: entry } }, 'the command line').servers[name];
}

/**
 * The section as the configuration loader composes it with the others (bin/config.ts), so that
 * `titan start` and every command check it with the rest of the file; the MCP service reads it
 * with its defaults through readMcpSection.
 */
export const mcpSection = defineSection<'mcp', { servers: Record<string, Partial<McpServerConfig>> }>({
  name: 'mcp',
  defaults: { servers: {} },
  schema: { servers: sectionSchema.properties.servers },
});
