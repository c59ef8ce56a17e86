// Doctor's checks of what Titan talks to: the registry, the database, the LLM providers, the
// channels' webhooks, the mesh's listen addresses and the Docker engine jobs run in.
import { existsSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { readdir } from 'node:fs/promises';
import { ERRORS } from '../../common/errors.ts';
import { readJsonFile } from '../../common/atomic-file.ts';
import { homePaths } from '../../common/home.ts';
import { BUILTIN_ROOT } from '../../kernel/builtins.ts';
import type { SourceManifest } from '../../registry/manifest.ts';
import { ok, type DoctorContext, type Finding } from './finding.ts';

const skipped = (check: string): Finding => ({ check, status: 'skip', message: 'the config does not load' });

/** Every published version re-hashed, its manifest and signature checked (without running anything). */
export async function registry({ home }: DoctorContext): Promise<Finding> {
  const { Registry } = await import('../../registry/registry.ts');
  const report = await (await Registry.open(homePaths(home).registry)).verify();
  if (report.ok) return ok('registry', `${report.checked} versions verified (digest, size, manifest, signature)`);
  const first = report.problems[0];
  return {
    check: 'registry',
    status: 'fail',
    message: `${report.problems.length} problem(s) in ${report.checked} versions, first ${first.ref}: ${first.code}: ${first.message}`,
    fix: 'run `titan registry verify` for all of them; publish a damaged version again, or yank it (titan registry yank REF@VERSION --reason ...)',
  };
}

type DbStatus = { version: number; latest: number; pending: Array<{ version: number }>; dialect: string; location: string };

/** Reachable, and at the schema version its store expects (through a running Titan; otherwise opened directly, read only). */
export async function database(ctx: DoctorContext): Promise<Finding> {
  const check = 'database';
  if (ctx.running) {
    const status = await ctx.running.request<DbStatus>('GET', '/api/db');
    if (status.pending.length === 0) return ok(check, `${status.dialect} ${status.location}, schema version ${status.version} of ${status.latest}`);
    return {
      check,
      status: 'warn',
      message: `${status.dialect} ${status.location} is at schema version ${status.version}; ${status.pending.length} migration(s) pending`,
      fix: 'titan db migrate',
      repair: async () => {
        const after = await ctx.running!.request<DbStatus>('POST', '/api/db/migrate');
        return `migrated to schema version ${after.version}`;
      },
    };
  }
  if (!ctx.config) return skipped(check);
  const { defaultDbUrl, openDatabase } = await import('../../host-api/db/open.ts');
  const url = ctx.config.kernel.dbUrl || defaultDbUrl(ctx.home);
  // A missing file is not opened here: opening would create it.
  if (url.startsWith('file:') && !existsSync(url.startsWith('file://') ? new URL(url).pathname : path.resolve(url.slice(5))))
    return { check, status: 'warn', message: `no database yet at ${url} (titan start creates and migrates it)`, fix: 'titan start, or titan db migrate' };
  let db;
  try {
    db = await openDatabase(url);
  } catch (error) {
    return {
      check,
      status: 'fail',
      message: `cannot open ${url.replace(/:[^:@/]*@/, ':***@')}: ${(error as Error).message}`,
      fix: url.startsWith('postgres')
        ? 'check that PostgreSQL runs and TITAN_DB_URL names a database this user may open (postgres://user:password@host:port/db)'
        : 'check the database file and its folder are readable and writable by this user',
    };
  }
  try {
    const result = await db.run('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations', []).catch(() => undefined);
    if (!result)
      return {
        check,
        status: 'warn',
        message: `${db.dialect} ${db.location} is reachable but not migrated`,
        fix: 'titan db migrate (titan start also migrates)',
      };
    return ok(check, `${db.dialect} ${db.location} reachable, schema version ${Number(result.rows[0]?.[0] ?? 0)} (the store migrates forward at start)`);
  } catch (error) {
    return { check, status: 'fail', message: `${db.location}: ${(error as Error).message}`, fix: 'check the database is reachable' };
  } finally {
    await db.close();
  }
}

/** The URL that lists a provider's models, and how its key is sent. */
export function probeRequest(provider: { component: string; baseUrl: string }, key: string | undefined): { url: string; headers: Record<string, string> } {
  if (provider.component === 'anthropic')
    return { url: `${provider.baseUrl}/v1/models`, headers: { 'anthropic-version': '2023-06-01', ...(key ? { 'x-api-key': key } : {}) } };
  if (provider.component === 'ollama') return { url: `${provider.baseUrl}/api/tags`, headers: key ? { authorization: `Bearer ${key}` } : {} };
  return { url: `${provider.baseUrl}/models`, headers: key ? { authorization: `Bearer ${key}` } : {} };
}

/** Each configured provider answers its model list (keys from the environment or the secret store). */
export async function providers({ home, env, config }: DoctorContext): Promise<Finding[]> {
  const check = 'provider';
  const { providersFromEnv, withStoredKeys, configureHint } = await import('../../agent/llm/providers-config.ts');
  const { SecretStore } = await import('../../common/secret-store.ts');
  const secrets = await SecretStore.open(home).catch(() => undefined);
  const { withConfiguredProvider } = await import('../../agent/llm/provider-section.ts');
  const view = withStoredKeys(config ? withConfiguredProvider(env, config.provider) : env, (name) => secrets?.get(name));
  let setup;
  try {
    setup = providersFromEnv(view);
  } catch (error) {
    return [{ check, status: 'fail', message: (error as Error).message, fix: (error as { fix?: string }).fix ?? configureHint() }];
  }
  if (setup.providers.length === 0)
    return [
      {
        check,
        status: 'warn',
        message: 'no LLM provider is configured: the agent cannot answer',
        fix: configureHint().replace(/^no LLM provider is configured: /, ''),
      },
    ];
  return Promise.all(
    setup.providers.map(async (provider): Promise<Finding> => {
      const name = `${check} ${provider.name}`;
      // A provider component of its own: its address may come from its manifest, and its API's
      // paths are its own, so any HTTP answer from the address shows it reachable.
      const builtin = ['openai', 'anthropic', 'ollama'].includes(provider.component);
      if (!builtin && !provider.baseUrl) return ok(name, `provider component ${provider.component}: its address comes from its manifest`);
      if (!builtin) {
        const answered = await fetch(provider.baseUrl, { signal: AbortSignal.timeout(5000) }).then(
          async (r) => {
            await r.body?.cancel();
            return `HTTP ${r.status}`;
          },
          () => undefined, // refused, unresolvable or silent: reported below
        );
        if (answered) return ok(name, `${provider.baseUrl} answers (${answered}; provider component ${provider.component})`);
        return { check: name, status: 'fail', message: `${provider.baseUrl} is not reachable`, fix: `check the network and ${provider.baseUrl}` };
      }
      const { url, headers } = probeRequest(provider, provider.apiKeyEnv ? view[provider.apiKeyEnv] : undefined);
      try {
        const response = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
        await response.body?.cancel();
        if (response.ok) return ok(name, `${provider.baseUrl} answers (model ${provider.model})`);
        if (response.status === 401 || response.status === 403)
          return {
            check: name,
            status: 'fail',
            message: `${provider.baseUrl} refuses the key (HTTP ${response.status})`,
            fix: `set a valid ${provider.apiKeyEnv ?? 'API key'} (titan secrets set ${provider.apiKeyEnv ?? 'NAME'})`,
          };
        return {
          check: name,
          status: 'warn',
          message: `${url} answers HTTP ${response.status}`,
          fix: `check ${provider.baseUrl} is the provider's API address`,
        };
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const reason = (error as Error).name === 'TimeoutError' ? 'no answer in 5 s' : (cause?.code ?? cause?.message ?? (error as Error).message);
        return {
          check: name,
          status: 'fail',
          message: `${provider.baseUrl} is not reachable: ${reason}`,
          fix:
            provider.component === 'ollama' ? 'start Ollama (ollama serve) or set OLLAMA_HOST to where it runs' : `check the network and ${provider.baseUrl}`,
        };
      }
    }),
  );
}

/** Each channel that would start has its secrets, and a webhook the platform can reach (channels as the registry's newest versions declare them). */
export async function channels({ home, env, config }: DoctorContext): Promise<Finding[]> {
  if (!config) return [skipped('channels')];
  const { loadSecretSource, ChannelSecrets } = await import('../../gateway/channels/secrets.ts');
  const { resolveChannelsConfig } = await import('../../gateway/channels/config.ts');
  const { polls } = await import('../../gateway/channels/specs.ts');
  const { wanted } = await import('../../gateway/channels/runtime.ts');
  const { Registry } = await import('../../registry/registry.ts');
  const { SecretStore } = await import('../../common/secret-store.ts');
  const source = await loadSecretSource(home, env, await SecretStore.open(home).catch(() => undefined));
  const resolved = resolveChannelsConfig(config.channels);
  // The built-ins as `titan start` publishes them, then the registry's versions in ascending order:
  // the last of each name is its newest.
  const specs = new Map<string, import('../../gateway/channels/specs.ts').ChannelSpec>();
  const builtins = path.join(BUILTIN_ROOT, 'channels');
  for (const dir of await readdir(builtins).catch(() => [])) {
    const m = await readJsonFile<SourceManifest | undefined>(path.join(builtins, dir, 'component.json'), undefined).catch(() => undefined);
    if (m?.channel) specs.set(m.name, { ...m.channel, name: m.name });
  }
  for (const m of await (await Registry.open(homePaths(home).registry)).list({ kind: 'channel' }))
    if (m.channel) specs.set(m.name, { ...m.channel, name: m.name });
  const running = [...specs.values()].filter((spec) => wanted(spec, resolved, source));
  if (running.length === 0) return [ok('channels', 'none configured')];
  const loopback = /^(127\.|::1$|localhost$)/.test(config.gateway.host);
  return running.map((spec): Finding => {
    const name = spec.name;
    const check = `channel ${name}`;
    const missing = ChannelSecrets.missing(spec, source);
    if (missing.length)
      return {
        check,
        status: 'fail',
        message: `listed in channels.enabled but ${missing.join(', ')} not set: it will not start`,
        fix: `titan secrets set ${missing[0]}`,
      };
    if (polls(spec, resolved)) return ok(check, 'polling its platform (no webhook needed)');
    const unset = Object.values(spec.secrets).find((s) => s.use === 'verification' && !s.required && !source[s.env]);
    if (unset)
      return {
        check,
        status: 'fail',
        message: `webhook mode without ${unset.env}: every webhook call is refused`,
        fix: `titan secrets set ${unset.env}${spec.polling ? `, or add "${name}" to channels.polling` : ''}`,
      };
    const hook = `/channels/${name}/webhook`;
    if (loopback)
      return {
        check,
        status: 'warn',
        message: `its webhook ${hook} is served on ${config.gateway.host} only: ${name} reaches it only through a public HTTPS proxy`,
        fix: `put an HTTPS reverse proxy (Caddy, nginx, a tunnel) in front of the gateway and register https://<public host>${hook} with ${name}`,
      };
    return ok(check, `webhook at <public URL>${hook}`);
  });
}

function listenPort(addr: string): { host: string; port: number; tcp: boolean } | undefined {
  const match = /^\/ip[46]\/([^/]+)\/(tcp|udp)\/(\d+)/.exec(addr);
  return match ? { host: match[1], port: Number(match[3]), tcp: match[2] === 'tcp' } : undefined;
}

/** With the mesh on: each listen address parses, is free (when Titan does not run), and its exposure is said. */
export async function mesh({ config, running }: DoctorContext): Promise<Finding[]> {
  if (!config) return [skipped('mesh')];
  if (!config.mesh.enabled) return [ok('mesh', 'off')];
  return Promise.all(
    config.mesh.listen.map(async (addr): Promise<Finding> => {
      const check = `mesh listen ${addr}`;
      const parsed = listenPort(addr);
      if (!parsed)
        return { check, status: 'fail', message: 'not an /ip4/... or /ip6/... tcp or udp address', fix: 'use e.g. /ip4/127.0.0.1/tcp/7410 in mesh.listen' };
      if (!running && parsed.tcp && parsed.port !== 0) {
        const inUse = await new Promise<boolean>((resolve) => {
          const server = createServer();
          server.once('error', () => resolve(true));
          server.listen(parsed.port, parsed.host, () => server.close(() => resolve(false)));
        });
        if (inUse)
          return {
            check,
            status: 'fail',
            message: `port ${parsed.port} is in use: the mesh cannot listen`,
            fix: `free port ${parsed.port} or pick another in mesh.listen`,
          };
      }
      if (/^(0\.0\.0\.0|::)$/.test(parsed.host) && !config.mesh.pskFile)
        return {
          check,
          status: 'warn',
          message: 'listens on every interface without a pre-shared key',
          fix: 'titan mesh keygen FILE and set mesh.pskFile, or listen on a private address',
        };
      return ok(check, parsed.port === 0 ? 'a free port is picked at start' : 'usable');
    }),
  );
}

/** The Docker engine jobs and the sandboxed shell run in answers a ping. */
export async function docker({ config }: DoctorContext): Promise<Finding> {
  if (!config) return skipped('docker');
  const socketPath = config.jobs.dockerSocket;
  const answer = await new Promise<string>((resolve) => {
    const request = http.get({ socketPath, path: '/_ping', timeout: 3000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200 ? 'ok' : `HTTP ${response.statusCode}`);
    });
    request.once('timeout', () => request.destroy(new Error('no answer in 3 s')));
    request.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  if (answer === 'ok') {
    // The client jobs reach the engine through is an optional install.
    try {
      import.meta.resolve('dockerode');
    } catch {
      return {
        check: 'docker',
        status: 'warn',
        message: `the engine at ${socketPath} answers, but its client (dockerode) is not installed: jobs are refused${config.jobs.shell === 'sandbox' ? ' and the shell tool has no sandbox' : ''}`,
        fix: ERRORS.TITAN_E_DOCKER_CLIENT_MISSING.fix,
      };
    }
    return ok('docker', `the engine at ${socketPath} answers`);
  }
  return {
    check: 'docker',
    status: 'warn',
    message: `no Docker engine answers at ${socketPath} (${answer}): jobs are refused${config.jobs.shell === 'sandbox' ? ' and the shell tool has no sandbox' : ''}`,
    fix: 'start Docker (systemctl start docker) and let this user use its socket, or set jobs.dockerSocket',
  };
}
