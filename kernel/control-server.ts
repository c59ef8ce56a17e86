// The running kernel's control socket ($TITAN_HOME/run/kernel.sock, mode 0600): the `titan` CLI
// asks the live kernel for its components and drives patches through it, so one process owns the
// state. Local only by construction (a Unix socket); the gateway serves remote clients later.
import { connect } from 'node:net';
import { chmod, mkdir, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { TitanError } from '../common/errors.ts';
import { parseRef } from '../registry/registry.ts';
import type { ComponentKind } from '../registry/manifest.ts';
import type { Kernel } from './kernel.ts';

export type ControlRoute = [method: string, pattern: RegExp, route: (kernel: Kernel, body: Record<string, unknown>, params: string[]) => Promise<unknown> | unknown];

/** The control socket's server; services started after it (channels, reflexes, mesh) add their routes. */
export type ControlServer = http.Server & { addRoutes(more: ControlRoute[]): void };

const MAX_BODY = 1024 * 1024;

const KERNEL_ROUTES: ControlRoute[] = [
  ['GET', /^\/health$/, () => ({ ok: true, pid: process.pid })],
  ['GET', /^\/components$/, (k) => k.components()],
  ['GET', /^\/patches$/, (k) => k.patches.list()],
  ['POST', /^\/patches$/, (k, b) => k.proposePatch(kindedRef(String(b.ref)), actor(b))],
  ['POST', /^\/patches\/([\w-]+)\/approve$/, (k, b, [id]) => k.approvePatch(id, actor(b))],
  ['POST', /^\/patches\/([\w-]+)\/reject$/, (k, b, [id]) => k.rejectPatch(id, actor(b))],
  ['POST', /^\/patches\/([\w-]+)\/deploy$/, (k, b, [id]) => k.deployPatch(id, actor(b))],
  ['POST', /^\/patches\/([\w-]+)\/rollback$/, (k, b, [id]) => k.rollbackPatch(id, actor(b))],
  ['POST', /^\/slots\/([a-z]+)\/([\w-]+)\/rollback$/, (k, _b, [kind, name]) => k.rollback(kind, name)],
  ['POST', /^\/call$/, (k, b) => k.call(b.kind as ComponentKind, String(b.name), String(b.fn), (b.args as unknown[]) ?? [])],
];

function actor(body: Record<string, unknown>) {
  return { by: typeof body.by === 'string' ? body.by : undefined, why: typeof body.why === 'string' ? body.why : undefined };
}

export function kindedRef(text: string) {
  const ref = parseRef(text);
  return { ...ref, kind: ref.kind ?? ('tool' as ComponentKind) };
}

async function readBody(request: http.IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new TitanError('TITAN_E_USAGE', 'request body over 1 MiB');
    chunks.push(chunk as Buffer);
  }
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new TitanError('TITAN_E_USAGE', 'request body is not JSON');
  }
}

export async function startControlServer(kernel: Kernel, socketPath = kernel.paths.controlSocket): Promise<ControlServer> {
  const routes = [...KERNEL_ROUTES];
  await mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  if (await isServing(socketPath)) {
    throw new TitanError('TITAN_E_USAGE', `a kernel is already running on ${socketPath}`, { fix: 'stop it first, or use another TITAN_HOME' });
  }
  await rm(socketPath, { force: true }); // left behind by a kernel that was killed
  const server = Object.assign(http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://kernel');
    let status = 200;
    let payload: unknown;
    try {
      const match = routes.find(([method, pattern]) => method === request.method && pattern.test(url.pathname));
      if (!match) throw new TitanError('TITAN_E_NOT_FOUND', `no control route ${request.method} ${url.pathname}`);
      const params = match[1].exec(url.pathname)!.slice(1);
      payload = await match[2](kernel, await readBody(request), params);
    } catch (error) {
      const titan = error instanceof TitanError ? error : new TitanError('TITAN_E_COMPONENT_TRAP', String((error as Error)?.message ?? error));
      status = titan.status;
      payload = { error: titan.toJSON() };
    }
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(payload ?? null));
  }), { addRoutes: (more: ControlRoute[]) => void routes.push(...more) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  await chmod(socketPath, 0o600);
  return server;
}

export function isServing(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
