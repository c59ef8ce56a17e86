// The channels the host can run, known by what their manifests declare (the `channel` section of
// a channel component serving in the kernel), never by their names: a channel published and
// deployed while Titan runs is a channel like the built-ins.
import type { Kernel } from '../../kernel/api.ts';
import type { ChannelSection } from '../../registry/slot-sections.ts';
import type { ChannelsConfig } from './config.ts';

export type ChannelSpec = ChannelSection & { name: string };

/** The platform of the channel serving as channel/<name>; undefined when none serves or it declares none. */
export function servingChannel(kernel: Pick<Kernel, 'serving'>, name: string): ChannelSpec | undefined {
  const section = kernel.serving('channel', name)?.channel;
  return section ? { ...section, name } : undefined;
}

/** Every channel serving in the kernel that declares its platform, by name. */
export function servingChannels(kernel: Pick<Kernel, 'serving' | 'components'>): ChannelSpec[] {
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
