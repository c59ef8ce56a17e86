// What the kernel needs from outside itself, declared here and plugged in at start: where tool
// calls run (the mesh's scheduler) and the swarm as titan:host/mesh shows it to components. The
// kernel never imports what implements them; `kernel.plug(ports)` is the one way in.
import type { ComponentKind, PublishedManifest } from '../registry/manifest.ts';
import type { MeshService } from '../host-api/types.ts';
import type { CallOptions } from './deployment.ts';

/** A tool call offered to a router; `local` runs it on this node. */
export type RoutedCall = { kind: ComponentKind; name: string; fn: string; args: unknown[]; options?: CallOptions; manifest?: PublishedManifest };
export type CallRouter = (call: RoutedCall, local: () => Promise<unknown>) => Promise<unknown>;

export type { MeshService };

/** The kernel's ports. Unplugged (the default) every call runs here and host/mesh says so. */
export type KernelPorts = {
  /** Decides where tool calls run while plugged; the mesh's scheduler implements it. */
  toolCalls?: CallRouter;
  /** The peers and the task submission titan:host/mesh offers components. */
  mesh?: MeshService;
};
