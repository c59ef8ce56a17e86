// titan:host/exec: runs a command on the host, inside the workspace, and streams its output.
// Each stdout/stderr chunk goes onto the kernel's bus the moment it arrives (component.event, kind
// "stdout" | "stderr", tagged with the running call's id), so a running command's lines reach the
// user before it exits; the result carries the exit status and the whole output (capped).
//
// Limits, all from the manifest's grant: the shell (default /bin/sh -c), the workspace (see
// workspace.ts), the longest run (maxTimeoutMs; a call asks for less with timeout-ms, 0 = the
// grant's maximum), the output kept and streamed per stream (maxOutputBytes; the rest is read and
// dropped, so the command never blocks on a full pipe), and optionally the only programs allowed.
// The command sees only PATH, HOME and LANG of the kernel's environment: secrets never reach it.
// The workspace confines where a command starts, not what it may touch: on the host it runs with
// the kernel user's rights, which is why the shell tool asks a human first. When `titan start`
// plugs in the sandbox (services.sandbox: a Docker container per command, the workspace mounted,
// no network), every command runs there instead, and never on the host while it is plugged.
//
// Each command leads its own process group (spawned detached): a timeout or a cancellation ends
// the whole group - SIGTERM, then SIGKILL after KILL_GRACE_MS - so children it started go too.
// The agent loop stops the commands of an interrupted call with cancelCall(callId).
import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import path from 'node:path';
import type { HostInterface, SandboxService } from './types.ts';
import { HostFailure, failureText, workspaceFor } from './workspace.ts';

export const EXEC_DEFAULTS = { shell: '/bin/sh', shellArgs: ['-c'], maxTimeoutMs: 120_000, maxOutputBytes: 1024 * 1024 };
/** The only variables of the kernel's environment a command sees. */
export const SAFE_ENV = ['PATH', 'HOME', 'LANG'] as const;
const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';
/** Between SIGTERM and SIGKILL of a stopped command's process group. */
export const KILL_GRACE_MS = 1000;
/** After a stopped command's shell has exited, how long a process that left its group may hold the pipes. */
const PIPE_GRACE_MS = 250;
const MAX_COMMAND = 128 * 1024;
/** With allowedCommands, a command must be one plain program call: no shell syntax that chains or substitutes. */
const SHELL_SYNTAX = /[;&|<>`$(){}\n\r]/;

export type ExecGrant = {
  workspace?: string;
  shell?: string;
  shellArgs?: string[];
  maxTimeoutMs?: number;
  maxOutputBytes?: number;
  allowedCommands?: string[];
};

export type ExitStatus = {
  /** The exit code, or -1 when a signal ended the command. */
  code: number;
  signal: string | undefined;
  timedOut: boolean;
  cancelled: boolean;
  stdout: string;
  stderr: string;
};

export type RunOptions = {
  command: string;
  /** An absolute folder (already confined by the caller). */
  cwd: string;
  timeoutMs: number;
  maxOutputBytes: number;
  /** The program and the arguments before the command; default /bin/sh -c. */
  shell?: string[];
  /** Registers the run for cancelCall(callId). */
  callId?: string;
  signal?: AbortSignal;
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
};

// ---- cancellation ---------------------------------------------------------------------------

/** A command running: on the host (its process group) or in the sandbox (stopped through its controller). */
type Running = { controller: AbortController; child?: ChildProcess };
const byCall = new Map<string, Set<Running>>();
const all = new Set<Running>();
let exitHookInstalled = false;

/**
 * Stops every command running for the call (the agent loop calls this when a turn is interrupted
 * or a call is abandoned). Returns how many were stopped; their results come back with
 * `cancelled: true`.
 */
export function cancelCall(callId: string, reason = 'cancelled'): number {
  const runs = byCall.get(callId);
  if (!runs) return 0;
  for (const run of runs) run.controller.abort(reason);
  return runs.size;
}

/** Stops every running command (the kernel's close). */
export function cancelAllCommands(reason = 'the kernel is closing'): number {
  for (const run of all) run.controller.abort(reason);
  return all.size;
}

/** How many commands run now, for one call or in all. */
export function runningCommands(callId?: string): number {
  return callId === undefined ? all.size : (byCall.get(callId)?.size ?? 0);
}

function track(run: Running, callId: string | undefined): () => void {
  all.add(run);
  if (callId !== undefined) {
    let runs = byCall.get(callId);
    if (!runs) byCall.set(callId, (runs = new Set()));
    runs.add(run);
  }
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Detached groups outlive the kernel unless ended here (process.kill is synchronous).
    process.once('exit', () => {
      for (const { child } of all) if (child) killGroup(child, 'SIGKILL');
    });
  }
  return () => {
    all.delete(run);
    const runs = callId === undefined ? undefined : byCall.get(callId);
    runs?.delete(run);
    if (runs?.size === 0) byCall.delete(callId as string);
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

// ---- one run --------------------------------------------------------------------------------

/** What one stream keeps: the text up to the cap (cut on a whole character), and whether it was cut. */
class Capture {
  readonly #decoder = new StringDecoder('utf8');
  readonly #parts: string[] = [];
  readonly #max: number;
  #bytes = 0;
  cut = false;

  constructor(max: number) {
    this.#max = max;
  }

  /** Takes a chunk; answers the text to stream now ('' when nothing new is complete or kept). */
  push(chunk: Buffer): string {
    if (this.cut) return '';
    let piece = chunk;
    if (this.#bytes + chunk.length > this.#max) {
      piece = chunk.subarray(0, this.#max - this.#bytes);
      this.cut = true;
    }
    this.#bytes += piece.length;
    // A character split across chunks waits in the decoder; one split by the cap is dropped.
    let text = this.#decoder.write(piece);
    if (this.cut) text += `\n[output cut at ${this.#max} bytes]\n`;
    if (text) this.#parts.push(text);
    return text;
  }

  /** The bytes left in the decoder at the end (an incomplete character shows as U+FFFD). */
  end(): string {
    if (this.cut) return '';
    const rest = this.#decoder.end();
    if (rest) this.#parts.push(rest);
    return rest;
  }

  text(): string {
    return this.#parts.join('');
  }
}

function safeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of SAFE_ENV) if (process.env[name] !== undefined) env[name] = process.env[name];
  env.PATH ??= FALLBACK_PATH;
  return env;
}

/** Runs one command to its end, its timeout or its cancellation. Rejects only when it cannot start. */
export function runCommand(options: RunOptions): Promise<ExitStatus> {
  const shell = options.shell ?? [EXEC_DEFAULTS.shell, ...EXEC_DEFAULTS.shellArgs];
  return new Promise((resolve, reject) => {
    const child = spawn(shell[0], [...shell.slice(1), options.command], {
      cwd: options.cwd,
      env: safeEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const controller = new AbortController();
    const untrack = track({ controller, child }, options.callId);
    const out = { stdout: new Capture(options.maxOutputBytes), stderr: new Capture(options.maxOutputBytes) };
    let stoppedBy: 'timeout' | 'cancel' | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let pipeTimer: NodeJS.Timeout | undefined;

    // A process that left the group (setsid) may hold the pipes after the group is gone: once the
    // shell has exited, a stopped command waits for its pipes only briefly.
    const closePipesSoon = () => {
      pipeTimer ??= setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, PIPE_GRACE_MS);
    };
    // Also after the shell has exited: background processes it left may still hold the pipes (a
    // command is not over until they close them), and they are in its group.
    const stop = (why: 'timeout' | 'cancel') => {
      if (stoppedBy) return;
      stoppedBy = why;
      killGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS);
      if (exit) closePipesSoon();
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = () => stop('cancel');
    controller.signal.addEventListener('abort', onAbort, { once: true });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) stop('cancel');

    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]?.on('data', (chunk: Buffer) => {
        const text = out[stream].push(chunk);
        if (text) options.onOutput?.(stream, text);
      });
    }

    const cleanup = () => {
      clearTimeout(timer);
      clearTimeout(pipeTimer);
      options.signal?.removeEventListener('abort', onAbort);
      untrack();
    };

    child.on('error', (error) => {
      // Only a failed start reaches here without an exit (signals are sent with process.kill).
      if (exit) return;
      cleanup();
      clearTimeout(killTimer);
      reject(new HostFailure('ESPAWN', `cannot start ${shell[0]}: ${error.message}`));
    });

    child.once('exit', (code, signal) => {
      exit = { code, signal };
      if (stoppedBy) closePipesSoon();
    });

    child.once('close', (code, signal) => {
      cleanup();
      if (stoppedBy) {
        // Whatever is left of the group goes now; no later signal may hit a reused process id.
        clearTimeout(killTimer);
        killGroup(child, 'SIGKILL');
      }
      for (const stream of ['stdout', 'stderr'] as const) {
        const rest = out[stream].end();
        if (rest) options.onOutput?.(stream, rest);
      }
      const finalCode = exit?.code ?? code;
      const finalSignal = exit?.signal ?? signal;
      resolve({
        code: finalCode ?? -1,
        signal: finalSignal ?? undefined,
        timedOut: stoppedBy === 'timeout',
        cancelled: stoppedBy === 'cancel',
        stdout: out.stdout.text(),
        stderr: out.stderr.text(),
      });
    });
  });
}

/**
 * Runs one command through the sandbox (the same caps and cancellation as on the host; the
 * sandbox's own limits - memory, pids, no network - come on top). Rejects only when it cannot start.
 */
export async function runInSandbox(
  sandbox: SandboxService,
  options: Omit<RunOptions, 'cwd' | 'shell' | 'signal'> & { workspace: string; cwd: string },
): Promise<ExitStatus> {
  const controller = new AbortController();
  const untrack = track({ controller }, options.callId);
  const out = { stdout: new Capture(options.maxOutputBytes), stderr: new Capture(options.maxOutputBytes) };
  try {
    const exit = await sandbox.run({
      command: options.command,
      workspace: options.workspace,
      cwd: options.cwd,
      timeoutMs: options.timeoutMs,
      signal: controller.signal,
      onChunk: (stream, chunk) => {
        const text = out[stream].push(chunk);
        if (text) options.onOutput?.(stream, text);
      },
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = out[stream].end();
      if (rest) options.onOutput?.(stream, rest);
    }
    return { ...exit, stdout: out.stdout.text(), stderr: out.stderr.text() };
  } finally {
    untrack();
  }
}

// ---- the host interface -------------------------------------------------------------------

/** With allowedCommands set: one plain call of a listed program (named as listed, not by a path). */
export function checkAllowed(command: string, allowed: readonly string[] | undefined): void {
  if (allowed === undefined) return;
  if (SHELL_SYNTAX.test(command)) {
    throw new HostFailure('ECOMMAND', 'this tool may run only single commands: ; & | < > ` $ ( ) { } and line breaks are not allowed');
  }
  const program = command.trim().split(/\s+/)[0] ?? '';
  if (!allowed.includes(program)) {
    throw new HostFailure('ECOMMAND', `"${program}" is not one of the commands this tool may run (${allowed.join(', ') || 'none'})`);
  }
}

export const exec: HostInterface = {
  name: 'exec',
  versions: ['0.1.0', '0.2.0'],
  asyncFunctions: ['run'],
  grantSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      /** An absolute folder; default: the kernel's workspace. */
      workspace: { type: 'string', pattern: '^/', maxLength: 4096 },
      /** The shell program (an absolute path) and the arguments before the command: `shell [...shellArgs] command`. */
      shell: { type: 'string', pattern: '^/', maxLength: 4096 },
      shellArgs: { type: 'array', maxItems: 8, items: { type: 'string', maxLength: 256 } },
      maxTimeoutMs: { type: 'integer', minimum: 1, maximum: 3_600_000 },
      maxOutputBytes: { type: 'integer', minimum: 1, maximum: 64 * 1024 * 1024 },
      allowedCommands: { type: 'array', maxItems: 256, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9._+-]+$' } },
    },
  },
  bind(context) {
    const grant = context.grant as ExecGrant;
    const workspace = workspaceFor(grant.workspace, context.services);
    const maxTimeoutMs = grant.maxTimeoutMs ?? EXEC_DEFAULTS.maxTimeoutMs;
    const maxOutputBytes = grant.maxOutputBytes ?? EXEC_DEFAULTS.maxOutputBytes;
    const shell = [grant.shell ?? EXEC_DEFAULTS.shell, ...(grant.shellArgs ?? EXEC_DEFAULTS.shellArgs)];
    return {
      run: async (command: string, cwd: string | null | undefined, timeoutMs: number): Promise<ExitStatus> => {
        // One instance runs one call at a time: the call id read now is this run's for its whole life.
        const callId = context.callId;
        try {
          if (typeof command !== 'string' || command.trim() === '') throw new HostFailure('ECOMMAND', 'the command is empty');
          if (command.length > MAX_COMMAND) throw new HostFailure('ECOMMAND', `the command is longer than ${MAX_COMMAND} characters`);
          checkAllowed(command, grant.allowedCommands);
          const dir = await workspace.folder(cwd ?? '.');
          const limit = timeoutMs > 0 ? Math.min(timeoutMs, maxTimeoutMs) : maxTimeoutMs;
          const onOutput = (stream: 'stdout' | 'stderr', text: string) => context.services.emit(context.component, callId, stream, text);
          const sandbox = context.services.sandbox;
          if (sandbox) {
            const root = await workspace.root();
            return await runInSandbox(sandbox, { command, workspace: root, cwd: path.relative(root, dir), timeoutMs: limit, maxOutputBytes, callId, onOutput });
          }
          return await runCommand({
            command,
            cwd: dir,
            timeoutMs: limit,
            maxOutputBytes,
            shell,
            callId,
            onOutput,
          });
        } catch (error) {
          // jco lowers a thrown value's `payload` into the result's err case.
          throw { payload: failureText(error) };
        }
      },
    };
  },
};
