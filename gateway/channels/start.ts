// `titan start`'s channels: every channel listed in the config or whose secrets are set runs; a
// listed channel without its secrets is reported and skipped, never started half-configured.
import type { Kernel } from '../../kernel/api.ts';
import type { Agent } from '../../agent/api.ts';
import type { ChannelsConfig } from './config.ts';
import { ChannelRuntime, enabledChannels } from './runtime.ts';
import { ChannelSecrets, loadSecretSource } from './secrets.ts';

export async function startChannelRuntime(
  kernel: Kernel,
  agent: Agent,
  config: ChannelsConfig,
  say: (line: string) => void,
): Promise<ChannelRuntime | undefined> {
  const source = await loadSecretSource(kernel.paths.home, process.env, kernel.secrets);
  const wanted = enabledChannels(config, source);
  const ready = wanted.filter((name) => {
    const missing = ChannelSecrets.missing(name, source);
    if (missing.length) say(`channel ${name} not started: set ${missing.join(', ')} (README, Channels)`);
    return missing.length === 0;
  });
  if (ready.length === 0) return undefined;
  const runtime = new ChannelRuntime({ kernel, agent, channels: ready, secrets: source, config });
  runtime.start();
  for (const name of ready) {
    const polling = name === 'telegram' && config.telegramMode === 'polling';
    if (name === 'telegram' && !polling && !source.TITAN_TELEGRAM_WEBHOOK_SECRET) {
      say(
        'channel telegram: TITAN_TELEGRAM_WEBHOOK_SECRET is not set, so every webhook call is refused; set it (and pass it to setWebhook as secret_token) or set channels.telegramMode to "polling"',
      );
    }
    say(`channel ${name}: ${polling ? 'polling getUpdates' : `webhook at <public URL of this gateway>/channels/${name}/webhook`}`);
  }
  return runtime;
}
