// Test support for the built-in tools that touch the host (shell, read-file, write-file): each
// deployed from its own folder with its manifest's grant pointed at a temporary workspace, and
// helpers to watch a call's streamed events and whether a process is still alive.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Kernel } from '../../kernel/api.ts';
import type { KernelEvents } from '../../kernel/events.ts';
import { publishComponent } from '../../kernel/publish.ts';
import type { PublishedManifest, SourceManifest } from '../../registry/manifest.ts';
import { buildBuiltin } from '../support/fixtures.ts';
import { openTestKernel } from '../support/kernel.ts';

export type ToolEvent = KernelEvents['component.event'] & { at: number };

/** A temporary folder holding `workspace/` and, beside it, `outside/` (what a tool must never reach). */
export async function tempWorkspace(t: TestContext): Promise<{ workspace: string; outside: string }> {
  const base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'titan-ws-')));
  t.after(() => rm(base, { recursive: true, force: true }));
  const workspace = path.join(base, 'workspace');
  const outside = path.join(base, 'outside');
  await mkdir(workspace);
  await mkdir(outside);
  return { workspace, outside };
}

/** The built-in tool's manifest with every disk-touching grant pointed at `workspace` and `extra` merged in. */
export function withWorkspace(manifest: SourceManifest, workspace: string, extra: Record<string, Record<string, unknown>> = {}): SourceManifest {
  const capabilities: Record<string, Record<string, unknown>> = {};
  for (const [name, grant] of Object.entries(manifest.capabilities)) {
    capabilities[name] = name === 'exec' || name === 'files' ? { ...grant, workspace, ...extra[name] } : grant;
  }
  return { ...manifest, capabilities };
}

/** Builds, publishes (linked and smoke-tested like any publish) and deploys a built-in tool. */
export async function deployTool(
  kernel: Kernel,
  name: string,
  workspace: string,
  extra: Record<string, Record<string, unknown>> = {},
): Promise<PublishedManifest> {
  const built = await buildBuiltin(name);
  const manifest = await publishComponent(kernel, { ...built, manifest: withWorkspace(built.manifest, workspace, extra) });
  await kernel.deployManifest(manifest);
  return manifest;
}

/** A fresh kernel for one test with these tools deployed on a fresh workspace. */
export async function toolKernel(t: TestContext, tools: string[], extra: Record<string, Record<string, unknown>> = {}) {
  const { kernel, cleanup } = await openTestKernel();
  t.after(cleanup);
  const dirs = await tempWorkspace(t);
  for (const tool of tools) await deployTool(kernel, tool, dirs.workspace, extra);
  return { kernel, ...dirs };
}

/** Records the component.event of one call id, each stamped with performance.now(). */
export function recordEvents(kernel: Kernel, callId: string): ToolEvent[] {
  const events: ToolEvent[] = [];
  kernel.bus.on('component.event', (event) => {
    if (event.callId === callId) events.push({ ...event, at: performance.now() });
  });
  return events;
}

/** True while the process exists and is not a zombie (a container's init may not reap at once). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until the process is gone, up to `ms`; answers whether it went. */
export async function gone(pid: number, ms = 2000): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return !alive(pid);
}
