// The channels the host can run, known by what their manifests declare (the `channel` section of
// a channel component serving in the kernel), never by their names: a channel published and
// deployed while Titan runs is a channel like the built-ins.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_ROOT, type Kernel } from '../../kernel/api.ts';
import type { SourceManifest } from '../../registry/manifest.ts';
import type { ChannelSection } from '../../registry/slot-sections.ts';
import type { ChannelsConfig } from './config.ts';

export type ChannelSpec = ChannelSection & { name: string };

/**
 * An installation's own built-in channel at a version from before manifests declared platforms
 * (telegram@1.0.0...): its section is read from the built-in's component.json, so an upgrade keeps
 * the channel running until the newer built-in, proposed as a patch, is deployed. Recognised by
 * the binary's digest (built here from components/), never by its name alone.
 */
function builtinSection(kernel: Partial<Pick<Kernel, 'builtins'>>, name: string, digest: string): ChannelSection | undefined {
  if (!kernel.builtins?.has(digest)) return undefined;
  try {
    const file = path.join(BUILTIN_ROOT, 'channels', name, 'component.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as SourceManifest).channel;
  } catch {
    return undefined; // no such built-in: the channel declares no platform
  }
}

/** The platform of the channel serving as channel/<name>; undefined when none serves or it declares none. */
export function servingChannel(kernel: Pick<Kernel, 'serving'> & Partial<Pick<Kernel, 'builtins'>>, name: string): ChannelSpec | undefined {
  const manifest = kernel.serving('channel', name);
  const section = manifest?.channel ?? (manifest ? builtinSection(kernel, name, manifest.digest) : undefined);
  return section ? { ...section, name } : undefined;
}

/** Every channel serving in the kernel that declares its platform, by name. */
export function servingChannels(kernel: Pick<Kernel, 'serving' | 'components'> & Partial<Pick<Kernel, 'builtins'>>): ChannelSpec[] {
  return kernel
    .components()
    .filter((c) => c.kind === 'channel' && c.version)
    .flatMap((c) => servingChannel(kernel, c.name) ?? []);
}

/** Where a channel's outbound requests go: the config's address for it, else its manifest's. */
export function apiUrlOf(spec: ChannelSpec, config: ChannelsConfig): string {
  return config.apiUrls[spec.name] ?? spec.apiUrl;
}

/** Whether the channel polls its platform rather than waiting for webhook calls. */
export function polls(spec: ChannelSpec, config: ChannelsConfig): boolean {
  return spec.polling === true && config.polling.includes(spec.name);
}
