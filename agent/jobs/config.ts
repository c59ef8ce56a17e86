// The jobs section of the configuration ({ "jobs": { ... } }): where the Docker engine is, which
// sandbox image jobs run in, the limits a job gets when it names none and the most it may ask for,
// and where the shell tool runs. Defaults are the safe ones: no network, the workspace writable
// only by the job that was given it, shell commands in the sandbox.
import { defineSection } from '../../common/config-section.ts';

export type JobsConfig = {
  /** The Docker engine's socket. */
  dockerSocket: string;
  /** The image jobs run in; built from Debian packages by scripts/sandbox-image.sh when missing. */
  image: string;
  /** Build the image (docker import) when it is missing, instead of refusing the job. */
  buildImage: boolean;
  /** Jobs running at once; the rest wait in the queue. */
  maxConcurrent: number;
  timeoutS: number;
  maxTimeoutS: number;
  memoryMb: number;
  maxMemoryMb: number;
  cpus: number;
  maxCpus: number;
  pids: number;
  /** The network mode of a job granted the network ("bridge", "host", a network's name). */
  networkMode: string;
  /** A job's log kept on disk past this is cut (the live stream still carries it). */
  logMaxBytes: number;
  /** An artifact export that makes no progress this long ends with TITAN_E_JOB_EXPORT_STALLED. */
  exportStallMs: number;
  /** Where the shell tool runs: "sandbox" (the user's container, when Docker answers) or "host" (asks approval). */
  shell: 'sandbox' | 'host';
  /** The coding-agent CLI a coding-agent job runs (in the sandbox), the prompt as its last argument; it prints JSON events, one a line. */
  agentCommand: string;
  /** Passed to it as TITAN_MODEL (and OPENAI_BASE_URL when set): the model it should use. */
  agentModel: string;
  agentBaseUrl: string;
  /** The image agent jobs run in: the sandbox's tools plus the C runtime Titan's own Node (mounted read-only) needs. */
  agentImage: string;
  /** An agent job's most model calls unless it asks for fewer (or more, up to 10x). */
  agentMaxSteps: number;
  /** The same model answer this many times in a row ends an agent job (TITAN_E_JOB_LOOP). */
  agentLoopRepeats: number;
  /** Off: this node runs no jobs even when an engine answers (routines' jobs then go to a mesh peer that has Docker). */
  docker: boolean;
};

export const jobsSection = defineSection<'jobs', JobsConfig>({
  name: 'jobs',
  defaults: {
    dockerSocket: '/var/run/docker.sock',
    image: 'titan-sandbox:1',
    buildImage: true,
    maxConcurrent: 8,
    timeoutS: 600,
    maxTimeoutS: 24 * 3600,
    memoryMb: 512,
    maxMemoryMb: 8192,
    cpus: 1,
    maxCpus: 8,
    pids: 256,
    networkMode: 'bridge',
    logMaxBytes: 8 * 1024 * 1024,
    exportStallMs: 30_000,
    shell: 'sandbox',
    agentCommand: 'opencode run --format json',
    agentModel: '',
    agentBaseUrl: '',
    agentImage: 'titan-agent:1',
    agentMaxSteps: 30,
    agentLoopRepeats: 3,
    docker: true,
  },
  schema: {
    dockerSocket: { type: 'string', minLength: 1 },
    image: { type: 'string', pattern: '^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?$' },
    buildImage: { type: 'boolean' },
    maxConcurrent: { type: 'integer' },
    timeoutS: { type: 'integer' },
    maxTimeoutS: { type: 'integer' },
    memoryMb: { type: 'integer' },
    maxMemoryMb: { type: 'integer' },
    cpus: { type: 'number' },
    maxCpus: { type: 'number' },
    pids: { type: 'integer' },
    networkMode: { type: 'string', minLength: 1 },
    logMaxBytes: { type: 'integer' },
    exportStallMs: { type: 'integer' },
    shell: { enum: ['sandbox', 'host'] },
    agentCommand: { type: 'string', minLength: 1 },
    agentModel: { type: 'string' },
    agentBaseUrl: { type: 'string' },
    agentImage: { type: 'string', pattern: '^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?$' },
    agentMaxSteps: { type: 'integer' },
    agentLoopRepeats: { type: 'integer' },
    docker: { type: 'boolean' },
  },
  clamps: {
    maxConcurrent: [1, 256],
    timeoutS: [1, 7 * 24 * 3600],
    maxTimeoutS: [1, 7 * 24 * 3600],
    memoryMb: [8, 1024 * 1024],
    maxMemoryMb: [8, 1024 * 1024],
    cpus: [0.01, 256],
    maxCpus: [0.01, 256],
    pids: [8, 1_000_000],
    logMaxBytes: [4096, 1024 * 1024 * 1024],
    exportStallMs: [100, 3_600_000],
    agentMaxSteps: [1, 1000],
    agentLoopRepeats: [2, 100],
  },
  env: {
    TITAN_DOCKER_SOCKET: 'dockerSocket',
    TITAN_JOBS_IMAGE: 'image',
    TITAN_JOBS_MAX_CONCURRENT: 'maxConcurrent',
    TITAN_SHELL: 'shell',
    TITAN_JOBS_AGENT_COMMAND: 'agentCommand',
    TITAN_JOBS_AGENT_MODEL: 'agentModel',
    TITAN_JOBS_DOCKER: 'docker',
  },
});
