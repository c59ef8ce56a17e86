// The Docker engine as jobs see it: one dockerode client on the configured socket, a reachability
// check that turns a dead or absent engine into TITAN_E_DOCKER_UNAVAILABLE, and the image preflight:
// an image that is missing is built once (scripts/sandbox-image.sh: Debian packages unpacked into a
// root folder and `docker import`ed), however many jobs ask for it at the same moment.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { TitanError, isTitanError } from '../../common/errors.ts';
import { isMissingPackage } from '../../common/optional-package.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
/** dockerode (with gRPC and protobufjs, about 120 ms of CPU to load) is loaded when a job first needs the engine. */
const dockerode = (): typeof Docker => {
  clientInstalled();
  return require('dockerode') as typeof Docker;
};

/** dockerode is an optional install (a production install leaves it out): found, not loaded. */
function clientInstalled(): void {
  try {
    import.meta.resolve('dockerode');
  } catch (error) {
    if (!isMissingPackage(error, 'dockerode')) throw error;
    throw new TitanError('TITAN_E_DOCKER_CLIENT_MISSING', 'jobs run in Docker through dockerode, which is not installed', { cause: error });
  }
}
/** The script that builds the sandbox image; CI calls it too. */
export const IMAGE_SCRIPT = fileURLToPath(new URL('../../scripts/sandbox-image.sh', import.meta.url));
const BUILD_TIMEOUT_MS = 5 * 60_000;
const PING_TIMEOUT_MS = 3000;
/** An image removed meanwhile is noticed by the container's creation failing; this only saves round trips. */
const SEEN_TTL_MS = 10_000;

/** The label every container Titan starts carries: the job's id. */
export const JOB_LABEL = 'titan.job';
/** Which Titan home started it, so two Titans on one engine never touch each other's containers. */
export const HOME_LABEL = 'titan.home';

export function homeLabel(home: string): string {
  return createHash('sha256').update(home).digest('hex').slice(0, 16);
}

/** True when the error says the engine could not be reached at all (as opposed to a refused request). */
export function unreachable(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT';
}

export function engineError(socket: string, error: unknown): TitanError {
  if (isTitanError(error)) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new TitanError('TITAN_E_DOCKER_UNAVAILABLE', `the Docker engine at ${socket} does not answer (${text})`, { cause: error });
}

export class Engine {
  #docker: Docker | undefined;
  readonly socket: string;
  /** False when the config turns Docker off here (jobs.docker): the engine is then never asked. */
  readonly enabled: boolean;
  readonly #builds = new Map<string, Promise<void>>();
  /** Images seen present, and when: a job right after another skips the engine round trip. */
  readonly #seen = new Map<string, number>();

  constructor(socket: string, enabled = true) {
    this.socket = socket;
    this.enabled = enabled;
  }

  /** The client on the socket, made on first use. */
  get docker(): Docker {
    const Client = dockerode();
    this.#docker ??= new Client({ socketPath: this.socket, timeout: 0 });
    return this.#docker;
  }

  /** Resolves when the engine answers; TITAN_E_DOCKER_UNAVAILABLE otherwise. */
  async ping(): Promise<void> {
    if (!this.enabled) throw new TitanError('TITAN_E_DOCKER_UNAVAILABLE', 'Docker is turned off on this node by its config (jobs.docker is false)');
    // An engine that answers is of no use without the client: the shell then stays on the host.
    clientInstalled();
    try {
      await ping(this.socket);
    } catch (error) {
      throw engineError(this.socket, error);
    }
  }

  /** Whether the engine answers, without throwing. */
  async available(): Promise<boolean> {
    return this.ping().then(
      () => true,
      () => false,
    );
  }

  /**
   * The containers (running or not) carrying every one of `labels` ("key=value"), as the engine's
   * GET /containers/json lists them. A plain request: reconciling at start this way keeps dockerode
   * (and ssh2's 16 MB WebAssembly heap with it) out of a Titan that runs no job (idle RSS -6 MB).
   */
  async containers(labels: string[]): Promise<Array<{ Id: string; Labels: Record<string, string> }>> {
    const filters = encodeURIComponent(JSON.stringify({ label: labels }));
    try {
      const { status, body } = await engineGet(this.socket, `/containers/json?all=1&filters=${filters}`);
      if (status !== 200) throw new Error(`the engine answered /containers/json with HTTP ${status}: ${body.slice(0, 200)}`);
      return JSON.parse(body) as Array<{ Id: string; Labels: Record<string, string> }>;
    } catch (error) {
      throw engineError(this.socket, error);
    }
  }

  async hasImage(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw engineError(this.socket, error);
    }
  }

  /**
   * Makes sure `image` is there: builds it with the image script when `build` allows, else (or when
   * the build fails) TITAN_E_JOB_IMAGE_MISSING with the reason. `flags` go to the image script
   * (--c-runtime: the agent image).
   */
  async ensureImage(image: string, build: boolean, flags: string[] = []): Promise<void> {
    if (Date.now() - (this.#seen.get(image) ?? 0) < SEEN_TTL_MS) return;
    if (await this.hasImage(image)) {
      this.#seen.set(image, Date.now());
      return;
    }
    if (!build) throw new TitanError('TITAN_E_JOB_IMAGE_MISSING', `the sandbox image ${image} is not on the Docker engine and jobs.buildImage is off`);
    let pending = this.#builds.get(image);
    if (!pending) {
      pending = this.#build(image, flags).finally(() => this.#builds.delete(image));
      this.#builds.set(image, pending);
    }
    await pending;
  }

  async #build(image: string, flags: string[]): Promise<void> {
    try {
      await run(IMAGE_SCRIPT, [image, ...flags], { timeout: BUILD_TIMEOUT_MS, env: { ...process.env, DOCKER_HOST: `unix://${this.socket}` } });
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
      const last = stderr.split('\n').pop() || (error instanceof Error ? error.message : String(error));
      throw new TitanError('TITAN_E_JOB_IMAGE_MISSING', `the sandbox image ${image} is missing and building it failed: ${last}`, { cause: error });
    }
    if (!(await this.hasImage(image))) throw new TitanError('TITAN_E_JOB_IMAGE_MISSING', `building ${image} finished but the engine does not list it`);
  }
}

/** One GET on the engine's socket, its status and body; for the calls a start makes, without loading dockerode. */
function engineGet(socketPath: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: PING_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error(`no answer to ${path.split('?')[0]} in time`), { code: 'ETIMEDOUT' })));
    req.once('error', reject);
    req.end();
  });
}

/** GET /_ping on the engine's socket: what dockerode's ping asks, without loading dockerode (a start checks the engine). */
async function ping(socketPath: string): Promise<void> {
  const { status } = await engineGet(socketPath, '/_ping');
  if (status !== 200) throw new Error(`the engine answered /_ping with HTTP ${status}`);
}
