// The shell in the sandbox: what titan:host/exec runs a command through when `titan start` plugs
// it in (jobs.shell "sandbox", a Docker engine answering). Each command gets a container of its own
// - the workspace mounted writable at /workspace, no network, the jobs' default memory, CPU and pids
// limits, a read-only root - removed when the command ends. One container per command rather than
// one long-lived container per user: a timeout or a cancel kills the whole process tree at once
// (the engine has no way to kill what `docker exec` started), and nothing one command leaves
// running outlives it. The cost is the container's start, a few hundred ms per command.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { TitanError } from '../../common/errors.ts';
import type { SandboxExit, SandboxRun, SandboxService } from '../../host-api/types.ts';
import type { JobsConfig } from './config.ts';
import { JobContainer } from './container.ts';
import { HOME_LABEL, homeLabel, type Engine } from './engine.ts';

/** The label on a shell command's container: the leftovers of a killed Titan are found by it. */
export const SHELL_LABEL = 'titan.shell';

export function sandboxShell(engine: Engine, config: JobsConfig, home: string): SandboxService {
  return {
    async run(run: SandboxRun): Promise<SandboxExit> {
      if (run.signal.aborted) return { code: -1, signal: 'SIGKILL', timedOut: false, cancelled: true };
      if (path.isAbsolute(run.cwd) || run.cwd.split(path.sep).includes('..'))
        throw new TitanError('TITAN_E_USAGE', `the folder ${run.cwd} is not inside the workspace`);
      await engine.ensureImage(config.image, config.buildImage);
      const container = await JobContainer.create(engine, `titan-shell-${randomBytes(6).toString('hex')}`, {
        image: config.image,
        command: run.command,
        workspace: run.workspace,
        workdir: path.posix.join('/workspace', ...run.cwd.split(path.sep).filter(Boolean)),
        policy: 'workspace-write',
        network: false,
        networkMode: 'none',
        memoryMb: config.memoryMb,
        cpus: config.cpus,
        pids: config.pids,
        env: {},
        labels: { [SHELL_LABEL]: '1', [HOME_LABEL]: homeLabel(home) },
      });
      let stopped: 'timeout' | 'cancel' | undefined;
      const stop = (why: 'timeout' | 'cancel') => {
        stopped ??= why;
        void container.kill().catch(() => {});
      };
      const timer = setTimeout(() => stop('timeout'), run.timeoutMs);
      const onAbort = () => stop('cancel');
      run.signal.addEventListener('abort', onAbort, { once: true });
      try {
        await container.start();
        const followed = container.follow(run.onChunk);
        const ending = await container.wait();
        await followed;
        if (stopped) return { code: -1, signal: 'SIGKILL', timedOut: stopped === 'timeout', cancelled: stopped === 'cancel' };
        // 137 from the memory limit reads as the kill it is.
        if (ending.oomKilled) return { code: -1, signal: 'SIGKILL', timedOut: false, cancelled: false };
        return { code: ending.exitCode, signal: undefined, timedOut: false, cancelled: false };
      } finally {
        clearTimeout(timer);
        run.signal.removeEventListener('abort', onAbort);
        await container.remove().catch(() => {});
      }
    },
  };
}
