// Test support for the sandbox jobs: a kernel with the core store deployed, a JobService on the
// real Docker engine, and the rule that these tests skip without an engine only where nobody asked
// for one (CI sets TITAN_REQUIRE_DOCKER=1: there a missing engine fails them).
import { execFileSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { jobsSection, type JobsConfig } from '../../agent/api.ts';
import { JobService } from '../../agent/services.ts';
import type { Kernel } from '../../kernel/api.ts';
import { openStoreKernel } from '../support/store.ts';
import { onTeardown } from '../support/teardown.ts';

export const SOCKET = process.env.TITAN_DOCKER_SOCKET ?? '/var/run/docker.sock';

/** Whether the engine answers; when it does not and TITAN_REQUIRE_DOCKER=1, throws (the suite fails). */
export function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['-H', `unix://${SOCKET}`, 'version', '--format', '{{.Server.Version}}'], { stdio: 'pipe', timeout: 10_000 });
    return true;
  } catch (error) {
    if (process.env.TITAN_REQUIRE_DOCKER === '1')
      throw new Error(`TITAN_REQUIRE_DOCKER=1 but the Docker engine at ${SOCKET} does not answer: ${String(error)}`);
    return false;
  }
}

/** `skip` for node:test: a reason when the engine is absent and not required. */
export const NO_DOCKER = dockerAvailable() ? false : `no Docker engine at ${SOCKET} (set TITAN_REQUIRE_DOCKER=1 to fail instead)`;

export type JobKernel = { kernel: Kernel; jobs: JobService; home: string; url: string; restart(): Promise<JobService> };

/** A kernel on a fresh libSQL store and a JobService with `config` over the defaults. */
export async function jobKernel(t: TestContext, config: Partial<JobsConfig> = {}): Promise<JobKernel> {
  const store = await openStoreKernel('libsql');
  const full = { ...jobsSection.defaults, dockerSocket: SOCKET, ...config };
  const handle: JobKernel = {
    kernel: store.kernel,
    jobs: await JobService.start(store.kernel, full),
    home: store.home,
    url: store.url,
    async restart() {
      await handle.jobs.close();
      handle.kernel = await store.restart();
      handle.jobs = await JobService.start(handle.kernel, full);
      return handle.jobs;
    },
  };
  // Closed after what the test makes on this kernel later (agents, routines, meshes) has stopped.
  onTeardown(t, async () => {
    await handle.jobs.close();
    await removeContainersOf(handle.kernel.paths.home);
    await store.cleanup();
  });
  return handle;
}

/** Removes the containers a test's Titan home started (labelled), whatever their state. */
export async function removeContainersOf(home: string): Promise<void> {
  const { homeLabel } = await import('../../agent/jobs/engine.ts');
  const ids = execFileSync('docker', ['-H', `unix://${SOCKET}`, 'ps', '-aq', '--filter', `label=titan.home=${homeLabel(home)}`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  if (ids.length) execFileSync('docker', ['-H', `unix://${SOCKET}`, 'rm', '-f', ...ids], { stdio: 'pipe' });
}
