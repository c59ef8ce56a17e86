// `titan security audit`'s checks: who may read the files that hold keys and data, whether the
// gateway is exposed without TLS, what the serving components may do and whether they are signed,
// and secrets left in the config file or the environment.
import { chmod, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { homePaths } from '../../common/home.ts';
import type { PublishedManifest } from '../../registry/manifest.ts';
import { ok, type DoctorContext, type Finding } from './finding.ts';

/** Files only their owner may read: keys, tokens, the data, the config that may name credentials. */
const PRIVATE_FILES = ['gateway-token', 'secrets.key', 'secrets.enc', 'channel-secrets.json', 'mesh/identity.key', 'titan.db', 'config.json'];

export async function fileModes({ home, config }: DoctorContext): Promise<Finding[]> {
  const files = [...PRIVATE_FILES.map((f) => path.join(home, f)), ...(config?.mesh.pskFile ? [path.resolve(home, config.mesh.pskFile)] : [])];
  const findings: Finding[] = [];
  for (const file of files) {
    const info = await stat(file).catch(() => undefined);
    if (!info) continue;
    const mode = info.mode & 0o777;
    if ((mode & 0o077) === 0) continue;
    findings.push({
      check: 'file mode',
      status: /token|key|secrets/.test(path.basename(file)) ? 'fail' : 'warn',
      message: `${file} is readable by ${mode & 0o004 ? 'every user' : 'its group'} (mode ${mode.toString(8)})`,
      fix: `chmod 600 ${file}`,
      repair: async () => {
        await chmod(file, 0o600);
        return `chmod 600 ${file}`;
      },
    });
  }
  const info = await stat(home).catch(() => undefined);
  if (info && (info.mode & 0o077) !== 0) {
    const mode = info.mode & 0o777;
    findings.push({
      check: 'file mode',
      status: 'warn',
      message: `${home} can be listed by other users (mode ${mode.toString(8)})`,
      fix: `chmod 700 ${home}`,
      repair: async () => {
        await chmod(home, 0o700);
        return `chmod 700 ${home}`;
      },
    });
  }
  return findings.length ? findings : [ok('file mode', `the token, key, data and config files in ${home} are readable by their owner only`)];
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** The gateway speaks plain HTTP: on anything but loopback, its bearer tokens cross the network in clear. */
export async function gatewayExposure({ config }: DoctorContext): Promise<Finding> {
  if (!config) return { check: 'gateway', status: 'skip', message: 'the config does not load' };
  const { host, port } = config.gateway;
  if (LOOPBACK.test(host)) return ok('gateway', `bound to ${host}:${port} (loopback only)`);
  return {
    check: 'gateway',
    status: 'fail',
    message: `bound to ${host}:${port} without TLS: tokens and conversations cross the network in clear`,
    fix: 'set gateway.host to 127.0.0.1 (TITAN_HOST) and put an HTTPS reverse proxy (Caddy, nginx) in front of it',
  };
}

/** What a grant lets a component do that reaches past a narrow job, in words. */
export function broadGrants(manifest: Pick<PublishedManifest, 'kind' | 'capabilities'>): string[] {
  const caps = manifest.capabilities;
  const broad: string[] = [];
  const http = caps.http as { allow?: Array<{ host?: string }> } | undefined;
  if (http?.allow?.some((rule) => rule.host === '*')) broad.push('http to any host');
  const exec = caps.exec as { allowedCommands?: string[] } | undefined;
  if (exec && !exec.allowedCommands?.length) broad.push('exec of any command');
  const files = caps.files as { workspace?: string; readOnly?: boolean } | undefined;
  if (files?.workspace && path.resolve(files.workspace) === '/') broad.push(`files on the whole filesystem${files.readOnly ? ' (read)' : ''}`);
  if (caps.sql && manifest.kind !== 'store') broad.push('raw SQL on the whole database');
  return broad;
}

type Serving = { manifest: PublishedManifest; builtin: boolean };

async function serving(home: string): Promise<Serving[]> {
  const { Registry } = await import('../../registry/registry.ts');
  const { BuiltinDigests } = await import('../../kernel/builtins.ts');
  const registry = await Registry.open(homePaths(home).registry);
  const builtins = await BuiltinDigests.open(path.join(home, 'builtins.json'));
  const deployments = JSON.parse(await readFile(homePaths(home).deployments, 'utf8').catch(() => '{}')) as Record<string, { version: string }>;
  const out: Serving[] = [];
  for (const [slot, record] of Object.entries(deployments)) {
    const [kind, name] = slot.split('/');
    const manifest = await registry.show({ kind: kind as PublishedManifest['kind'], name, version: record.version }).catch(() => undefined);
    if (manifest) out.push({ manifest, builtin: builtins.has(manifest.digest) });
  }
  return out;
}

/** Serving components with broad grants (a built-in's are expected and listed as such), and inline grants in the config. */
export async function capabilities({ home, config }: DoctorContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const { manifest, builtin } of await serving(home)) {
    const broad = broadGrants(manifest);
    if (broad.length === 0) continue;
    const who = `${manifest.kind}/${manifest.name}@${manifest.version}`;
    findings.push(
      builtin
        ? ok(`capabilities ${who}`, `${broad.join(', ')} (a built-in shipped with Titan)`)
        : {
            check: `capabilities ${who}`,
            status: 'warn',
            message: `granted ${broad.join(', ')}`,
            fix: `read its component.json (titan registry show ${who}); narrow the grant and publish again, or roll the slot back (titan kernel rollback ${manifest.kind}/${manifest.name})`,
          },
    );
  }
  const { GrantWithdrawals, withdrawalsFile } = await import('../../kernel/grant-withdrawals.ts');
  const withdrawals = await GrantWithdrawals.open(withdrawalsFile(home));
  for (const grant of config?.kernel.inlineGrants ?? []) {
    const withdrawn = withdrawals.of(grant);
    findings.push(
      withdrawn
        ? {
            check: 'capabilities',
            status: 'warn',
            message: `kernel.inlineGrants names ${grant}, but the kernel withdrew it at ${withdrawn.at} (${withdrawn.reason}): ${withdrawn.slot} runs in a worker`,
            fix: `remove it from kernel.inlineGrants, or, once the component is fixed, titan components regrant ${withdrawn.slot}`,
          }
        : {
            check: 'capabilities',
            status: 'warn',
            message: `kernel.inlineGrants runs ${grant} in the kernel's own thread: each run holds every other call back for up to kernel.inlineSliceMs before it is stopped`,
            fix: 'remove it from kernel.inlineGrants unless you wrote and trust it',
          },
    );
  }
  return findings.length ? findings : [ok('capabilities', 'no serving component has a broad grant')];
}

/** Serving versions that are neither signed nor built here from Titan's own sources. */
export async function signatures({ home }: DoctorContext): Promise<Finding[]> {
  const unsigned = (await serving(home)).filter((s) => !s.builtin && !s.manifest.signature);
  if (unsigned.length === 0) return [ok('signatures', 'every serving component is signed or a built-in')];
  return unsigned.map(({ manifest }) => ({
    check: `signature ${manifest.kind}/${manifest.name}@${manifest.version}`,
    status: 'warn' as const,
    message: 'serving unsigned: nothing says who published it',
    fix: 'publish it signed (titan registry publish DIR --sign) and deploy that version',
  }));
}

const SECRET_KEY = /(api[-_]?key|token|secret|password|passwd|credential|private[-_]?key)$/i;
const SECRET_VALUE =
  /^(sk-[A-Za-z0-9_-]{16,}|sk-ant-[A-Za-z0-9_-]{16,}|xox[abpr]-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})/;

/** Where in a JSON value a secret sits in plain text: by its key's name or by its shape. */
export function secretsIn(value: unknown, at: string[] = []): string[] {
  if (typeof value === 'string') {
    const key = at.at(-1) ?? '';
    // A NAME_IN_CAPITALS or $VAR names where a secret is kept (bearerSecret, bearerEnv); it is not one.
    const reference = /^\$?[A-Z][A-Z0-9_]{1,63}$/.test(value);
    const hit = (value.length >= 8 && SECRET_KEY.test(key) && !reference) || SECRET_VALUE.test(value) || /^postgres(ql)?:\/\/[^:/@]+:[^@]+@/.test(value);
    return hit ? [at.join('.')] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => secretsIn(v, [...at, String(i)]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => secretsIn(v, [...at, k]));
  return [];
}

/** Secrets in config.json, in the old plaintext channel-secrets.json, or in this process's environment. */
export async function plaintextSecrets({ home, env }: DoctorContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  const configFile = homePaths(home).config;
  const text = await readFile(configFile, 'utf8').catch(() => undefined);
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    for (const where of secretsIn(parsed))
      findings.push({
        check: 'secrets in config',
        status: 'fail',
        message: `${configFile} holds a secret in plain text at ${where}`,
        fix: "store it with `titan secrets set NAME` and name it in the config instead (e.g. an MCP server's bearerSecret), then remove the value from config.json",
      });
  }
  const legacy = path.join(home, 'channel-secrets.json');
  if (await stat(legacy).catch(() => undefined))
    findings.push({
      check: 'secrets in files',
      status: 'warn',
      message: `${legacy} keeps channel secrets unencrypted`,
      fix: 'move each into the secret store (titan secrets set NAME) and delete the file',
    });
  for (const name of Object.keys(env).sort()) {
    const value = env[name] ?? '';
    if (value.length < 8 || !(SECRET_KEY.test(name) || SECRET_VALUE.test(value))) continue;
    findings.push({
      check: 'secrets in environment',
      status: 'warn',
      message: `${name} is set in the environment: every process of this user can read it (/proc/PID/environ), and env dumps and crash reports carry it`,
      fix: `titan secrets set ${name} (Titan reads provider keys and channel secrets from the store), then remove it from the environment`,
    });
  }
  return findings.length ? findings : [ok('secrets', 'none in config.json or the environment')];
}
