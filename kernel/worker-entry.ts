// Runs inside a worker thread of the isolation pool (isolation-pool.ts): keeps instances of the
// components it has been asked to run, and reaches the kernel's services over a BroadcastChannel.
// A call past its time limit never returns here: the kernel terminates this whole thread.
import { randomUUID } from 'node:crypto';
import { BroadcastChannel, parentPort } from 'node:worker_threads';
import { HOST_INTERFACES, type HostServices, type SqlResult, type SqlService } from '../host-api/index.ts';
import { readTranspiled } from '../toolchain/transpile.ts';
import { TitanError } from '../common/errors.ts';
import { boundedStrings } from './bounded-strings.ts';
import { isGuestResultError, leavesInstanceUnsettled } from './guest-errors.ts';
import { atMemoryCap, guestFunction, recordingMemories, type GuestInstance } from './instance.ts';
import { compileAll } from './compile-cores.ts';
import { recordingImports, replayingImports, type HostAnswer, type TapeHolder } from './host-tape.ts';
import type { ImportTable } from './module-loader.ts';
import { loadGlue, type GlueFactory } from './module-loader.ts';
import { ChatterLimiter } from './chatter.ts';
import { weighResult } from './result-size.ts';
import { wallMicros } from './task-clock.ts';
import { wallMs } from './worker-timings.ts';
import { codeGraphOver, memoryOver } from './worker-memory.ts';
import {
  LIST_EXPORTS,
  type CallMessage,
  type DeploymentBase,
  type HostReply,
  type HostRequest,
  type MadeInstance,
  type SqlOp,
  type ThreadAnswer,
  type WorkerOutcome,
  type WorkerTask,
} from './worker-protocol.ts';

const instances = new Map<string, Promise<GuestInstance>>();
/** What the kernel told this thread about each deployment it runs (sent once, before its first call here). */
const bases = new Map<string, DeploymentBase>();
type ChannelEntry = { channel: BroadcastChannel; pending: Map<string, (reply: HostReply) => void>; said: boolean };
const channels = new Map<string, ChannelEntry>();
/** This thread's gate on guest chatter, drawing on the kernel's shared buckets: a flood stops here, before it is queued for the kernel. */
let limiter: ChatterLimiter | undefined;
const DROP_REPORT_MS = 250;
let lastDropReport = -Infinity;

function channelFor(name: string): ChannelEntry {
  let entry = channels.get(name);
  if (entry) return entry;
  const channel = new BroadcastChannel(name);
  const pending = new Map<string, (reply: HostReply) => void>();
  channel.onmessage = (event) => {
    const reply = (event as { data: HostReply }).data;
    if (reply.type === 'kv-reply') pending.get(reply.id)?.(reply);
    else if (reply.type === 'dispose') {
      instances.delete(reply.deploymentId);
      bases.delete(reply.deploymentId);
    }
  };
  // The channel must not keep an idle worker alive.
  (channel as unknown as { unref(): void }).unref();
  channels.set(name, (entry = { channel, pending, said: false }));
  return entry;
}

function servicesOver(name: string, chatter: ChatterLimiter, task: WorkerTask): HostServices {
  const entry = channelFor(name);
  const { channel, pending } = entry;
  const post = (message: HostRequest) => channel.postMessage(message);
  const ask = (request: (id: string) => HostRequest) =>
    new Promise<unknown>((resolve, reject) => {
      const id = randomUUID();
      pending.set(id, (reply) => {
        pending.delete(id);
        if (reply.type === 'kv-reply' && reply.error !== undefined) reject(new Error(reply.error));
        else if (reply.type === 'kv-reply') resolve(reply.value);
      });
      post(request(id));
    });
  const kvCall = (op: 'get' | 'set' | 'delete' | 'list', args: unknown[]) => ask((id) => ({ type: 'kv', id, op, args }));
  const sqlCall = (op: SqlOp, args: unknown[]) => ask((id) => ({ type: 'sql', id, op, args }));
  const dialect = task.sqlDialect;
  // Rows a query keeps for the kernel travel with the call's other messages, ahead of its result.
  const sql: SqlService | undefined = dialect && {
    dialect,
    run: (statement, params) => sqlCall('run', [statement, params]) as Promise<SqlResult>,
    batch: (statements) => sqlCall('batch', [statements]) as Promise<SqlResult[]>,
    begin: () => sqlCall('begin', []) as Promise<number>,
    inTransaction: (tx, statement, params) => sqlCall('inTransaction', [tx, statement, params]) as Promise<SqlResult>,
    commit: (tx) => sqlCall('commit', [tx]) as Promise<void>,
    rollback: (tx) => sqlCall('rollback', [tx]) as Promise<void>,
    keep: (rows) => {
      entry.said = true;
      return sqlCall('keep', [rows]) as Promise<number>;
    },
    take: () => undefined,
  };
  return {
    log: (component, level, message, fields) => {
      entry.said = true;
      post({ type: 'log', component, level, message, fields });
    },
    emit: (component, callId, kind, data) => {
      entry.said = true;
      post({ type: 'emit', component, callId, kind, data });
    },
    chatter: {
      // A call that floods until it is stopped never reaches its 'finished': its drops are sent as they happen.
      allow(component, kind, bytes) {
        if (chatter.allow(component, kind, bytes)) return true;
        const now = performance.now();
        if (now - lastDropReport >= DROP_REPORT_MS) {
          lastDropReport = now;
          post({ type: 'dropped', drops: chatter.takeDrops() });
        }
        return false;
      },
    },
    sql,
    workspace: task.workspace,
    kv: {
      get: (ns, key) => kvCall('get', [ns, key]) as Promise<string | undefined>,
      set: (ns, key, value, limits) => kvCall('set', [ns, key, value, limits]) as Promise<void>,
      delete: (ns, key) => kvCall('delete', [ns, key]) as Promise<boolean>,
      list: (ns, prefix) => kvCall('list', [ns, prefix]) as Promise<string[]>,
    },
    secret: (name) => ask((id) => ({ type: 'secret', id, name })) as Promise<string | undefined>,
    recordHttp: (component, record) => post({ type: 'http', component, record }),
    memory: memoryOver(ask, task.deploymentId, () => currentTask),
    codeGraph: codeGraphOver(ask, task.deploymentId, () => currentTask),
    tools: {
      invoke: (component, callId, name, input) => ask((id) => ({ type: 'tool', id, component, callId, name, input, taskId: currentTask })) as Promise<string>,
    },
    // Always offered (whether a mesh is plugged can change after the instance exists): without
    // one, peers() is empty and submit gets TITAN_E_MESH_DISABLED from the kernel.
    mesh: {
      peers: () => currentPeers,
      submit: (component, name, range, input) =>
        (ask((id) => ({ type: 'mesh', id, component, name, range, input, taskId: currentTask })) as Promise<string>).catch((error: Error) => {
          // The kernel's coded error travels as "CODE: message": given back its code.
          const coded = /^(TITAN_E_[A-Z_]+): ([\s\S]*)$/.exec(error.message);
          throw coded ? Object.assign(new Error(coded[2]), { code: coded[1] }) : error;
        }),
    },
  };
}

/** The peers the kernel heard when the running call was sent (titan:host/mesh peers()). */
let currentPeers: Array<{ id: string; load: number; freeSlots: number }> = [];

/** Compiled glue and core modules by transpiled folder and memory cap: a new deployment of a binary this thread ran before (a JIT run, a
 * replay, a smoke test) pays only the instantiation. Bounded, oldest out first. */
const compiled = new Map<string, Promise<{ glue: GlueFactory; modules: ReadonlyMap<string, WebAssembly.Module>; here: boolean }>>();
const COMPILED_KEPT = 8;

function compiledFor(task: WorkerTask) {
  const key = `${task.dir}/${task.memoryMb}`;
  let entry = compiled.get(key);
  if (!entry) {
    entry = (async () => {
      const transpiled = await readTranspiled(task.dir);
      if (!transpiled) throw new Error(`transpiled component missing at ${task.dir}`);
      // The kernel compiles once for all threads and sends the modules while it holds them; a
      // thread started after it let them go compiles its own (worker-host.ts, the handover).
      const who = `${task.component.kind}/${task.component.name}@${task.component.version}`;
      const modules = task.modules ?? (await compileAll(transpiled.cores, task.memoryMb, who));
      return { glue: await loadGlue(task.dir, transpiled.js), modules, here: !task.modules };
    })();
    compiled.set(key, entry);
    entry.catch(() => compiled.delete(key));
    if (compiled.size > COMPILED_KEPT) compiled.delete(compiled.keys().next().value as string);
  }
  return entry;
}

/** What making each deployment's instance cost, until the call that waited for it reports it (WorkerOutcome.made). */
const madeCost = new Map<string, MadeInstance>();

async function createInstance(task: WorkerTask): Promise<GuestInstance> {
  const began = performance.now();
  const fresh = !compiled.has(`${task.dir}/${task.memoryMb}`);
  const compiledNow = await compiledFor(task);
  const compiledAt = performance.now();
  const modules = compiledNow.modules;
  const who = `${task.component.kind}/${task.component.name}@${task.component.version}`;
  const glue = compiledNow.glue(boundedStrings(who, task.maxResultBytes));
  limiter ??= new ChatterLimiter(task.chatter);
  limiter.adopt(task.component, task.chatterCells);
  const context = { component: task.component, grant: {}, services: servicesOver(task.channel, limiter, task), callId: undefined as string | undefined };
  const table: ImportTable = {};
  const tape: TapeHolder & { used?: Set<HostAnswer> } = {};
  for (const linked of task.imports) {
    const host = HOST_INTERFACES.get(linked.name);
    if (!host) throw new Error(`host interface ${linked.name} is not available in workers`);
    const bound = host.bind(
      {
        ...context,
        grant: linked.grant,
        get callId() {
          return context.callId;
        },
      },
      linked.version,
    );
    const linkedImports = task.replayOnly ? replayingImports(bound, linked.spec, tape) : recordingImports(bound, linked.spec, tape);
    table[linked.spec] = linkedImports;
    table[linked.spec.slice(0, linked.spec.indexOf('@'))] = linkedImports;
  }
  const memories: WebAssembly.Memory[] = [];
  const root = await glue((name) => modules.get(name) as WebAssembly.Module, table, recordingMemories(memories));
  const compiledHere = fresh && compiledNow.here;
  madeCost.set(task.deploymentId, { compiledHere, compileMs: compiledHere ? compiledAt - began : 0, instantiateMs: performance.now() - compiledAt });
  return { context, exports: root[task.exportInterface] as GuestInstance['exports'], memories, tape };
}

/** The task this thread runs (one at a time): nested tool calls name it, so its clock pauses meanwhile. */
let currentTask: string | undefined;

parentPort?.on('message', (message: CallMessage) => void answer(message));

async function answer(message: CallMessage): Promise<void> {
  if (message.base) bases.set(message.deploymentId, message.base);
  const base = bases.get(message.deploymentId);
  let reply: ThreadAnswer;
  try {
    if (!base) throw new Error(`deployment ${message.deploymentId} was never sent to this thread`);
    reply = { taskId: message.taskId, outcome: await runTask({ ...base, ...message }) };
  } catch (error) {
    reply = { taskId: message.taskId, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
}

async function runTask(task: WorkerTask): Promise<WorkerOutcome> {
  currentTask = task.taskId;
  currentPeers = task.meshPeers ?? [];
  const entry = channelFor(task.channel);
  entry.said = false;
  const outcome = await runGuest(task);
  outcome.endedAt = wallMs();
  const made = madeCost.get(task.deploymentId);
  if (made) {
    madeCost.delete(task.deploymentId);
    outcome.made = made;
  }
  const drops = limiter?.takeDrops() ?? [];
  if (!entry.said && drops.length === 0) return outcome;
  // Everything the call said is on the channel before this marker; the kernel answers after it.
  entry.channel.postMessage({ type: 'finished', taskId: task.taskId, drops } satisfies HostRequest);
  return { ...outcome, said: true };
}

async function runGuest(task: WorkerTask): Promise<WorkerOutcome> {
  let pending = instances.get(task.deploymentId);
  if (!pending) {
    pending = createInstance(task);
    instances.set(task.deploymentId, pending);
    pending.catch(() => instances.delete(task.deploymentId));
  }
  let instance: GuestInstance;
  try {
    instance = await pending;
  } catch (error) {
    return { kind: 'trap', message: `instantiation failed: ${(error as Error).message}` };
  }
  if (task.fn === LIST_EXPORTS) return { kind: 'ok', value: Object.keys(instance.exports) };
  const guest = guestFunction(instance, task.fn);
  if (!guest) return { kind: 'missing', fn: task.fn };
  instance.context.callId = task.callId;
  const tape = task.replayOnly ? task.replay : task.record ? [] : undefined;
  Object.assign(instance.tape, { tape, used: new Set() });
  // The instance is ready and the guest call begins: its time limit counts from here.
  Atomics.store(task.started, 0, wallMicros());
  let value: unknown;
  try {
    value = await guest(...task.args);
  } catch (error) {
    if (isGuestResultError(error)) return { kind: 'guest-error', payload: error.payload, ...(task.record ? { tape } : {}) };
    instances.delete(task.deploymentId);
    if (error instanceof TitanError && leavesInstanceUnsettled(error)) return { kind: 'coded', code: error.code, message: error.message };
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'trap', message, outOfMemory: atMemoryCap(instance, task.memoryMb) };
  }
  // Weighed here, before the result is copied into the kernel's thread.
  const weight = weighResult(value, task.maxResultBytes);
  if (weight > task.maxResultBytes) {
    const who = `${task.component.kind}/${task.component.name}@${task.component.version}`;
    return { kind: 'coded', code: 'TITAN_E_RESULT_TOO_LARGE', message: `${who} returned more than ${task.maxResultBytes} bytes (limits.maxResultBytes)` };
  }
  return task.record ? { kind: 'ok', value, tape } : { kind: 'ok', value };
}
