// `titan start`'s channels: every channel component serving whose manifest declares its platform
// runs when the config lists it or its secrets are set; a listed channel without its secrets is
// reported and skipped, never started half-configured. The runtime runs even with no channel, so
// one deployed later (titan registry publish, then a patch) starts without a restart.
import type { Kernel } from '../../kernel/api.ts';
import type { Agent } from '../../agent/api.ts';
import { resolveChannelsConfig, type ChannelsConfig } from './config.ts';
import { ChannelRuntime, describeChannel, wanted } from './runtime.ts';
import { ChannelSecrets, loadSecretSource } from './secrets.ts';
import { servingChannels } from './specs.ts';

export async function startChannelRuntime(kernel: Kernel, agent: Agent, config: ChannelsConfig, say: (line: string) => void): Promise<ChannelRuntime> {
  const load = () => loadSecretSource(kernel.paths.home, process.env, kernel.secrets);
  const source = await load();
  const resolved = resolveChannelsConfig(config);
  const ready = servingChannels(kernel)
    .filter((spec) => wanted(spec, resolved, source))
    .filter((spec) => {
      const missing = ChannelSecrets.missing(spec, source);
      if (missing.length) say(`channel ${spec.name} not started: set ${missing.join(', ')} (README, Channels)`);
      return missing.length === 0;
    });
  for (const name of resolved.enabled) {
    if (!kernel.serving('channel', name)) say(`channel ${name} is listed in channels.enabled but no channel component of that name serves`);
  }
  const runtime = new ChannelRuntime({ kernel, agent, channels: ready.map((s) => s.name), secrets: source, reloadSecrets: load, config, say });
  runtime.start();
  for (const spec of ready) {
    // A verification secret that is not required (Telegram's webhook secret): without it every webhook call is refused.
    const unset = Object.values(spec.secrets).filter((s) => s.use === 'verification' && !s.required && !source[s.env]);
    if (unset.length && !describeChannel(spec, resolved).includes('polling')) {
      say(
        `channel ${spec.name}: ${unset.map((s) => s.env).join(', ')} is not set, so every webhook call is refused; set it${spec.polling ? `, or add "${spec.name}" to channels.polling` : ''}`,
      );
    }
    say(describeChannel(spec, resolved));
  }
  return runtime;
}
