// One mesh node in its own process, driven by the test over IPC: a kernel in its own TITAN_HOME
// with the given fixtures deployed and the mesh started on 127.0.0.1. Every execution of a tool
// is appended to $home/executions.log as it starts ("start TAG") and ends ("done TAG"), synchronously,
// so even a node killed with SIGKILL leaves a record of what it ran.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { Kernel } from '../../../kernel/kernel.ts';
import { Agent } from '../../../agent/api.ts';
import { createControlApp } from '../../../gateway/app.ts';
import { claimControlSocket } from '../../../gateway/control-socket.ts';
import { closeDeps, gatewayDeps } from '../../../gateway/server.ts';
import { Mesh, type MeshSettings, type TaskRequest } from '../../../mesh/mesh.ts';
import { FramedStream } from '../../../mesh/frames.ts';
import { BLOB_PROTOCOL, TASK_PROTOCOL, encode, type TaskMessage } from '../../../mesh/messages.ts';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import type { PublishedManifest } from '../../../registry/manifest.ts';
import { deployFixture } from '../../support/fixtures.ts';
import { TEST_CACHE } from '../../support/kernel.ts';
import { scriptedModel } from '../../support/model-double.ts';

export type NodeSpec = { home: string; fixtures: string[]; settings: Partial<MeshSettings>; tamper?: boolean };
export type Command =
  | { op: 'status' }
  | { op: 'peers' }
  | { op: 'submit'; request: TaskRequest; count?: number }
  | { op: 'call'; name: string; input: unknown }
  | { op: 'raw'; peer: string; tasks: TaskMessage[]; streams: number }
  | { op: 'pull'; peer: string; digest: string }
  | { op: 'registry' }
  | { op: 'dial'; address: string; timeoutMs?: number }
  | { op: 'allow'; peer: string }
  | { op: 'sequential'; request: TaskRequest; count: number }
  | { op: 'cancel'; request: TaskRequest; afterMs: number };

const spec = JSON.parse(process.env.TITAN_MESH_TEST_NODE ?? '{}') as NodeSpec;
const log = path.join(spec.home, 'executions.log');
// The fixtures run inline by grant: these suites are about the mesh, and some rely on a busy tool
// holding its node's thread (a peer that cannot answer in time), which a worker would not; for as
// long as the task asks (kernel.inlineSliceMs would otherwise stop it at 25 ms).
const inlineGrants = spec.fixtures.map((dir) => `tool/${path.basename(dir)}`);
const config = { inlineGrants, inlineSliceMs: 600_000 };
const kernel = await Kernel.open({ home: spec.home, cacheDir: TEST_CACHE, logToFile: false, env: {}, config });
const manifests: PublishedManifest[] = [];
for (const dir of spec.fixtures) manifests.push(await deployFixture(kernel, dir));

const callLocal = kernel.callLocal.bind(kernel);
kernel.callLocal = (kind, name, fn, args, options) => {
  const tag = tagOf(args);
  appendFileSync(log, `start ${tag}\n`);
  return callLocal(kind, name, fn, args, options).finally(() => appendFileSync(log, `done ${tag}\n`));
};
function tagOf(args: unknown[]): string {
  try {
    return String((JSON.parse(String(args[0])) as { tag?: unknown }).tag);
  } catch {
    return '?';
  }
}

const mesh = await Mesh.start(kernel, { listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/udp/0/quic-v1'], heartbeatMs: 1000, ...spec.settings });
// As `titan start` does: the CLI reaches this node's mesh through the gateway's routes on its control socket.
const agent = new Agent(kernel, { workspace: path.join(spec.home, 'workspace'), llm: scriptedModel([]) });
const deps = await gatewayDeps({ kernel, agent, mesh });
const control = await claimControlSocket(kernel.paths.controlSocket);
control.serve(createControlApp(deps).callback());

if (spec.tamper) {
  // A malicious peer: serves any component it holds with one byte flipped.
  await mesh.node.unhandle(BLOB_PROTOCOL);
  await mesh.node.handle(BLOB_PROTOCOL, async (stream) => {
    const lp = lpStream(stream);
    const request = JSON.parse(new TextDecoder().decode((await lp.read()).subarray())) as { digest: string };
    const manifest = (await kernel.registry.list()).find((m) => m.digest === request.digest)!;
    const bytes = new Uint8Array(await kernel.registry.readBlob(manifest));
    bytes[bytes.length - 10] ^= 0xff;
    await lp.write(encode({ ok: true, manifest, size: bytes.length }));
    await lp.write(bytes);
    await stream.close();
  });
}

async function handle(command: Command): Promise<unknown> {
  switch (command.op) {
    case 'status':
      return { ...mesh.status(), manifests };
    case 'peers':
      return mesh.peers();
    case 'submit': {
      // With a count, the tasks' tags get "-0", "-1"... Each result carries the progress it streamed.
      const args = (i: number) =>
        command.count
          ? [JSON.stringify({ ...JSON.parse(String(command.request.args[0])), tag: `${JSON.parse(String(command.request.args[0])).tag}-${i}` })]
          : command.request.args;
      const runs = Array.from({ length: command.count ?? 1 }, (_, i) => {
        const progress: string[] = [];
        return mesh.submit({ ...command.request, args: args(i), onProgress: (kind, data) => progress.push(`${kind} ${data}`) }).result.then(
          (outcome) => ({ ok: true, ...outcome, progress }),
          (error: Error & { code?: string }) => ({ ok: false, code: error.code, message: error.message, progress }),
        );
      });
      return Promise.all(runs);
    }
    case 'cancel': {
      const task = mesh.submit(command.request);
      setTimeout(() => task.cancel(), command.afterMs);
      return task.result.then(
        (outcome) => ({ ok: true, ...outcome }),
        (error: Error & { code?: string }) => ({ ok: false, code: error.code, message: error.message }),
      );
    }
    case 'call':
      return kernel.invokeTool(command.name, command.input);
    case 'raw': {
      // Sends tasks over `streams` separate streams, as a peer that retries would.
      const answers: unknown[] = [];
      await Promise.all(
        Array.from({ length: command.streams }, async () => {
          const stream = await mesh.node.dialProtocol(peerIdFromString(command.peer), TASK_PROTOCOL);
          const channel = new FramedStream<{ t: string; id: string }, TaskMessage>(stream);
          const expected = command.tasks.length;
          let got = 0;
          const done = new Promise<void>((resolve) => {
            void channel.readAll((message) => {
              if (message.t !== 'result') return;
              answers.push(message);
              if (++got === expected) resolve();
            });
          });
          for (const task of command.tasks) await channel.send(task);
          await done;
          channel.close();
        }),
      );
      return answers;
    }
    case 'pull':
      return mesh.pull(command.peer, command.digest);
    case 'registry':
      return (await kernel.registry.list()).map((m) => `${m.kind}/${m.name}@${m.version} ${m.digest}`);
    case 'dial':
      return mesh.dial(command.address, command.timeoutMs);
    case 'allow':
      return mesh.allow(command.peer);
    case 'sequential': {
      // One task at a time over the kept stream: the protocol's round trip without queueing.
      const ms: number[] = [];
      for (let i = 0; i < command.count; i++) {
        const started = performance.now();
        await mesh.submit(command.request).result;
        ms.push(performance.now() - started);
      }
      return ms;
    }
  }
}

process.on('message', (message: { seq: number; command: Command }) => {
  handle(message.command).then(
    (value) => process.send!({ seq: message.seq, ok: true, value }),
    (error: Error & { code?: string }) => process.send!({ seq: message.seq, ok: false, error: { code: error.code, message: error.message } }),
  );
});
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
async function stop(): Promise<void> {
  await control.close();
  closeDeps(deps);
  await mesh.stop();
  await kernel.close();
  process.exit(0);
}
process.send!({ seq: 0, ok: true, value: { id: mesh.id, addrs: mesh.node.getMultiaddrs().map(String) } });
