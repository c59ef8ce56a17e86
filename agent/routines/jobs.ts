// Job routines through the sandbox scheduler (agent/jobs): the routine's job description is a job
// request; the run waits for the job's end and keeps the tail of its log as the run's output.
import { TitanError } from '../../common/errors.ts';
import { Engine } from '../jobs/engine.ts';
import type { JobRequest } from '../jobs/types.ts';
import type { JobService } from '../jobs/service.ts';
import type { RoutineJobs } from '../ports.ts';

/** What a run keeps of a job's log: its end, where the verdict usually is. */
const LOG_TAIL = 16 * 1024;

export function routineJobs(jobs: JobService): RoutineJobs {
  return {
    async unavailable() {
      if (!jobs.engine.enabled) return 'Docker is turned off on this node by its config (jobs.docker is false)';
      return (await jobs.engine.available()) ? undefined : `no Docker engine answers at ${jobs.config.dockerSocket}`;
    },
    async run(job, { label, userId, origin }) {
      const request = { ...(job as JobRequest), name: (job as JobRequest).name ?? label, origin };
      const ended = await jobs.run(userId, request);
      let log = '';
      for await (const chunk of jobs.logs(ended.id)) {
        log += chunk.text;
        if (log.length > 4 * LOG_TAIL) log = log.slice(-LOG_TAIL);
      }
      const output = log.slice(-LOG_TAIL);
      return ended.state === 'succeeded' ? { ok: true, output } : { ok: false, output, error: `job ${ended.id} ${ended.state}: ${ended.reason ?? ''}` };
    },
  };
}

/**
 * Jobs here when this node's engine answers, else on a mesh peer that advertises them (`peers`,
 * the mesh's port); with neither, `unavailable` gives both reasons and the routine fails loudly.
 */
export function jobsHereOrOnPeers(here: RoutineJobs | undefined, peers: RoutineJobs | undefined): RoutineJobs {
  const whyHere = async () => (here ? await here.unavailable() : 'jobs do not run on this node');
  return {
    async unavailable() {
      const why = await whyHere();
      if (why === undefined || !peers) return why;
      const whyPeers = await peers.unavailable();
      return whyPeers === undefined ? undefined : `${why}, and ${whyPeers}`;
    },
    async run(job, context) {
      if (here && (await whyHere()) === undefined) return here.run(job, context);
      if (peers && (await peers.unavailable()) === undefined) return peers.run(job, context);
      throw new TitanError('TITAN_E_ROUTINE_NO_DOCKER', `${context.label} runs a job, and ${await this.unavailable()}`);
    },
  };
}

/**
 * For a CLI command's own process (no kernel running): a job routine is checked against the Docker
 * engine when it is made, but runs only in a running Titan, whose scheduler owns the containers.
 */
export function engineCheck(dockerSocket: string): RoutineJobs {
  const engine = new Engine(dockerSocket);
  return {
    async unavailable() {
      return (await engine.available()) ? undefined : `no Docker engine answers at ${dockerSocket}`;
    },
    async run() {
      throw new TitanError('TITAN_E_ROUTINE_NO_DOCKER', 'a job routine runs through the sandbox scheduler of a running Titan', {
        fix: 'start Titan (npm start), then run it',
      });
    },
  };
}
