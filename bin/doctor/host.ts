// Doctor's checks of the machine Titan runs on: the Node version, the state directory, free disk,
// the config file, the gateway's port, and the optional installs the config asks for.
import { constants, readFileSync } from 'node:fs';
import { access, chmod, mkdir, stat, statfs } from 'node:fs/promises';
import { createServer } from 'node:net';
import { ERRORS } from '../../common/errors.ts';
import { ok, type DoctorContext, type Finding } from './finding.ts';

const ENGINES = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines?: { node?: string } }).engines?.node ?? '>=24';

/** The Node this runs on against package.json's engines (">=24"). */
export function nodeFinding(version = process.versions.node): Finding {
  const needed = Number(/(\d+)/.exec(ENGINES)?.[1] ?? 24);
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  if (major >= needed) return ok('node', `Node ${version} (Titan needs ${ENGINES})`);
  return {
    check: 'node',
    status: 'fail',
    message: `Node ${version} is too old: Titan needs ${ENGINES}`,
    fix: 'run Titan through npm (npm start, npx titan), which uses the project-local Node 24, or install Node 24 (nodejs.org, nvm install 24)',
  };
}

export async function node(): Promise<Finding> {
  return nodeFinding();
}

/** The state directory exists, is a directory, is writable by its owner and not by others. */
export async function stateDir({ home }: DoctorContext): Promise<Finding> {
  const check = 'state directory';
  const info = await stat(home).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) {
    if (info.code !== 'ENOENT')
      return { check, status: 'fail', message: `${home} cannot be read: ${info.code}`, fix: `check the path's permissions, or set TITAN_HOME elsewhere` };
    return {
      check,
      status: 'warn',
      message: `${home} does not exist yet (titan start creates it)`,
      fix: `mkdir -m 700 ${home}`,
      repair: async () => {
        await mkdir(home, { recursive: true, mode: 0o700 });
        return `created ${home} (mode 700)`;
      },
    };
  }
  if (!info.isDirectory()) return { check, status: 'fail', message: `${home} is not a directory`, fix: 'set TITAN_HOME to a directory (default ~/.titan)' };
  const mode = info.mode & 0o777;
  // The owner's write bit, even for root (who could write anyway): Titan must be able to write there.
  const writable =
    (mode & 0o200) !== 0 &&
    (await access(home, constants.W_OK).then(
      () => true,
      () => false,
    ));
  if (!writable) {
    return {
      check,
      status: 'fail',
      message: `${home} is not writable (mode ${mode.toString(8)}): Titan cannot keep its state`,
      fix: `chmod u+w ${home}${process.getuid?.() !== info.uid ? ` (it belongs to uid ${info.uid}; run Titan as that user or chown it)` : ''}`,
      ...(process.getuid?.() === info.uid || process.getuid?.() === 0
        ? {
            repair: async () => {
              await chmod(home, mode | 0o700);
              return `chmod u+rwx ${home}`;
            },
          }
        : {}),
    };
  }
  if (mode & 0o022) {
    return {
      check,
      status: 'warn',
      message: `${home} is writable by ${mode & 0o002 ? 'everyone' : 'its group'} (mode ${mode.toString(8)}): another user could change Titan's state`,
      fix: `chmod go-w ${home}`,
      repair: async () => {
        await chmod(home, mode & ~0o022);
        return `chmod go-w ${home}`;
      },
    };
  }
  return ok(check, `${home} (mode ${mode.toString(8)})`);
}

const MB = 1024 * 1024;

/** Free space where the state lives: the database, the registry and the build cache grow there. */
export async function disk({ home }: DoctorContext): Promise<Finding> {
  let dir = home;
  const fs = await statfs(dir).catch(async () => statfs((dir = '/')));
  const free = fs.bavail * fs.bsize;
  const text = `${Math.round(free / MB)} MB free on the filesystem of ${dir}`;
  if (free < 200 * MB)
    return {
      check: 'disk space',
      status: 'fail',
      message: text,
      fix: 'free disk space (titan registry gc removes unreferenced blobs) or move TITAN_HOME to a larger disk',
    };
  if (free < 1024 * MB)
    return { check: 'disk space', status: 'warn', message: `${text} (under 1 GB)`, fix: 'free disk space (titan registry gc removes unreferenced blobs)' };
  return ok('disk space', text);
}

/** The config file loads, every key known (a typo is named with the section's keys). */
export async function config({ configError, home }: DoctorContext): Promise<Finding> {
  if (configError === undefined) return ok('config', `${home}/config.json and TITAN_* variables load`);
  return {
    check: 'config',
    status: 'fail',
    message: configError,
    fix: 'correct the named key in $TITAN_HOME/config.json or the named TITAN_* variable (README, Configuration)',
  };
}

/** When Titan does not run, its gateway port must be free (a port in use fails the start). */
export async function gatewayPort({ config: loaded, running }: DoctorContext): Promise<Finding> {
  const check = 'gateway port';
  if (!loaded) return { check, status: 'skip', message: 'the config does not load' };
  const { host, port } = loaded.gateway;
  if (running) return ok(check, `Titan runs on this home (its gateway holds ${host}:${port})`);
  if (port === 0) return ok(check, `${host}:0 (a free port is picked at start)`);
  const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    server.listen(port, host, () => server.close(() => resolve(null)));
  });
  if (!error) return ok(check, `${host}:${port} is free`);
  if (error.code === 'EADDRINUSE')
    return {
      check,
      status: 'fail',
      message: `${host}:${port} is in use by another process: titan start would fail`,
      fix: `stop what listens there (ss -ltnp 'sport = :${port}'), or pick another port: TITAN_PORT=${port + 1} or { "gateway": { "port": ${port + 1} } }`,
    };
  return {
    check,
    status: 'fail',
    message: `cannot listen on ${host}:${port}: ${error.code ?? error.message}`,
    fix: 'set gateway.host to an address of this machine (127.0.0.1) and gateway.port to a free port',
  };
}

/** The OpenTelemetry SDK (an optional install) is there when telemetry.otlpEndpoint asks for traces. */
export async function telemetry({ config: loaded }: DoctorContext): Promise<Finding> {
  const endpoint = loaded?.telemetry.otlpEndpoint;
  if (!endpoint) return ok('telemetry', 'off (telemetry.otlpEndpoint is empty)');
  const missing = ['@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/resources'].filter((name) => {
    try {
      import.meta.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return ok('telemetry', `traces go to ${endpoint}`);
  return {
    check: 'telemetry',
    status: 'fail',
    message: `telemetry.otlpEndpoint is set, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed: titan start stops with TITAN_E_TELEMETRY_MISSING`,
    fix: ERRORS.TITAN_E_TELEMETRY_MISSING.fix,
  };
}
