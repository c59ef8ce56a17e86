// One job's container: the options that enforce its limits (memory without swap, CPUs, pids, no
// network unless granted, the workspace mounted by policy, a read-only root, every capability
// dropped), and its life: start, follow its output from the first byte (also after a restart of
// Titan, while the container kept running), wait for its end, kill, remove.
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { TitanError } from '../../common/errors.ts';
import type { Engine } from './engine.ts';
import { engineError } from './engine.ts';
import type { WorkspacePolicy } from './types.ts';

export type ContainerPlan = {
  image: string;
  command: string;
  /** The host folder mounted at /workspace. */
  workspace: string;
  policy: WorkspacePolicy;
  network: boolean;
  /** The network mode of a job granted the network. */
  networkMode: string;
  memoryMb: number;
  cpus: number;
  pids: number;
  env: Record<string, string>;
  labels: Record<string, string>;
  /** Where the command starts, inside /workspace (default /workspace). */
  workdir?: string;
  /** More host paths mounted read-only, as "host:container" (an agent job's worker, Node and socket folder). */
  readOnly?: string[];
};

export type Ending = { exitCode: number; oomKilled: boolean };

const MB = 1024 * 1024;

export function containerOptions(plan: ContainerPlan): Docker.ContainerCreateOptions {
  const full = plan.policy === 'full';
  return {
    Image: plan.image,
    Cmd: ['/bin/sh', '-c', plan.command],
    WorkingDir: plan.workdir ?? '/workspace',
    // The host user's ids: what the job writes in the workspace belongs to the user, not to root.
    User: `${process.getuid?.() ?? 1000}:${process.getgid?.() ?? 1000}`,
    Env: Object.entries(plan.env).map(([k, v]) => `${k}=${v}`),
    Labels: plan.labels,
    Tty: false,
    AttachStdin: false,
    OpenStdin: false,
    NetworkDisabled: !(plan.network || full),
    HostConfig: {
      Memory: plan.memoryMb * MB,
      MemorySwap: plan.memoryMb * MB, // no swap: the limit is the limit
      NanoCpus: Math.round(plan.cpus * 1e9),
      PidsLimit: plan.pids,
      NetworkMode: plan.network || full ? plan.networkMode : 'none',
      Binds: [`${plan.workspace}:/workspace:${plan.policy === 'read-only' ? 'ro' : 'rw'}`, ...(plan.readOnly ?? []).map((bind) => `${bind}:ro`)],
      ReadonlyRootfs: !full,
      Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${Math.max(16, Math.min(plan.memoryMb, 1024))}m` },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      AutoRemove: false,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '16m', 'max-file': '1' } },
    },
  };
}

export class JobContainer {
  readonly #engine: Engine;
  readonly container: Docker.Container;

  private constructor(engine: Engine, container: Docker.Container) {
    this.#engine = engine;
    this.container = container;
  }

  get id(): string {
    return this.container.id;
  }

  static async create(engine: Engine, name: string, plan: ContainerPlan): Promise<JobContainer> {
    try {
      return new JobContainer(engine, await engine.docker.createContainer({ name, ...containerOptions(plan) }));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404)
        throw new TitanError('TITAN_E_JOB_IMAGE_MISSING', `the sandbox image ${plan.image} is not on the Docker engine`, { cause: error });
      throw engineError(engine.socket, error);
    }
  }

  /** A container that already exists (found by its label after a restart). */
  static of(engine: Engine, id: string): JobContainer {
    return new JobContainer(engine, engine.docker.getContainer(id));
  }

  async start(): Promise<void> {
    try {
      await this.container.start();
    } catch (error) {
      throw engineError(this.#engine.socket, error);
    }
  }

  /**
   * Streams the container's output from its first byte until it stops; resolves when the stream
   * ends. Chunks come demultiplexed, in order, as the engine delivers them.
   */
  async follow(onOutput: (stream: 'stdout' | 'stderr', chunk: Buffer) => void): Promise<void> {
    const raw = (await this.container.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.on('data', (chunk: Buffer) => onOutput('stdout', chunk));
    stderr.on('data', (chunk: Buffer) => onOutput('stderr', chunk));
    this.#engine.docker.modem.demuxStream(raw, stdout, stderr);
    await new Promise<void>((resolve) => {
      raw.on('end', resolve);
      raw.on('close', resolve);
      raw.on('error', () => resolve());
    });
  }

  /** Waits for the container to stop: its exit code and whether the kernel's OOM killer ended it. */
  async wait(): Promise<Ending> {
    try {
      const result = (await this.container.wait()) as { StatusCode: number };
      let oomKilled = (await this.container.inspect()).State.OOMKilled === true;
      // The engine learns of an OOM kill from an event that can land after the wait returns (seen on
      // a busy machine): a SIGKILL's 137 is looked at again, briefly, before it counts as a plain exit.
      for (let retry = 0; !oomKilled && result.StatusCode === 137 && retry < 10; retry++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        oomKilled = (await this.container.inspect()).State.OOMKilled === true;
      }
      return { exitCode: result.StatusCode, oomKilled };
    } catch (error) {
      throw engineError(this.#engine.socket, error);
    }
  }

  /** Its state as the engine has it now (null when the container is gone). */
  async inspect(): Promise<{ running: boolean; exitCode: number; oomKilled: boolean } | null> {
    try {
      const state = (await this.container.inspect()).State;
      return { running: state.Running || state.Restarting, exitCode: state.ExitCode, oomKilled: state.OOMKilled };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return null;
      throw engineError(this.#engine.socket, error);
    }
  }

  /** SIGKILL now (a stopped container is not an error). */
  async kill(): Promise<void> {
    try {
      await this.container.kill({ signal: 'SIGKILL' });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404 || status === 409) return; // gone, or not running any more
      throw engineError(this.#engine.socket, error);
    }
  }

  async remove(): Promise<void> {
    try {
      await this.container.remove({ force: true, v: true });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return;
      throw engineError(this.#engine.socket, error);
    }
  }
}
