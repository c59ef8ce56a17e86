// The messaging channels' section of the configuration ({ "channels": { ... } }): which channels
// start, which poll, the platforms' API addresses and the channels' limits. Channels are named by
// their components; the per-platform keys (telegramApiUrl, telegramMode...) are the older
// spelling of apiUrls and polling, still read.
import { defineSection } from '../../common/config-section.ts';

const CHANNEL = '^[a-z][a-z0-9-]{0,62}$';

export type ChannelsConfig = {
  /** Channels to start besides those whose secrets are set. */
  enabled: string[];
  /** A channel's API base URL by channel name (a test or a proxy points them elsewhere); default its manifest's. */
  apiUrls: Record<string, string>;
  /** Channels that poll their platform (those whose manifest says they can) instead of taking webhooks. */
  polling: string[];
  /** Telegram: updates by webhook (/channels/telegram/webhook) or by getUpdates long polling. */
  telegramMode: 'webhook' | 'polling';
  /** The platforms' API base URLs (a test or a proxy points them elsewhere). */
  telegramApiUrl: string;
  slackApiUrl: string;
  discordApiUrl: string;
  whatsappApiUrl: string;
  /** Shortest time between two edits of a growing answer in one chat (the platforms rate-limit edits). */
  editIntervalMs: number;
  /** Largest webhook body a channel reads (platform payloads are small). */
  maxBodyBytes: number;
};

export const channelsSection = defineSection<'channels', ChannelsConfig>({
  name: 'channels',
  defaults: {
    enabled: [],
    apiUrls: {},
    polling: [],
    telegramMode: 'webhook',
    telegramApiUrl: 'https://api.telegram.org',
    slackApiUrl: 'https://slack.com/api',
    discordApiUrl: 'https://discord.com/api/v10',
    whatsappApiUrl: 'https://graph.facebook.com/v21.0',
    editIntervalMs: 1000,
    maxBodyBytes: 256 * 1024,
  },
  schema: {
    enabled: { type: 'array', items: { type: 'string', pattern: CHANNEL } },
    apiUrls: { type: 'object', propertyNames: { pattern: CHANNEL }, additionalProperties: { type: 'string', pattern: '^https?://' } },
    polling: { type: 'array', items: { type: 'string', pattern: CHANNEL } },
    telegramMode: { enum: ['webhook', 'polling'] },
    telegramApiUrl: { type: 'string', pattern: '^https?://' },
    slackApiUrl: { type: 'string', pattern: '^https?://' },
    discordApiUrl: { type: 'string', pattern: '^https?://' },
    whatsappApiUrl: { type: 'string', pattern: '^https?://' },
    editIntervalMs: { type: 'integer' },
    maxBodyBytes: { type: 'integer' },
  },
  clamps: { editIntervalMs: [0, 60000], maxBodyBytes: [1024, 16 * 1024 * 1024] },
  env: {
    TITAN_TELEGRAM_MODE: 'telegramMode',
    TITAN_TELEGRAM_API_URL: 'telegramApiUrl',
    TITAN_SLACK_API_URL: 'slackApiUrl',
    TITAN_DISCORD_API_URL: 'discordApiUrl',
    TITAN_WHATSAPP_API_URL: 'whatsappApiUrl',
    TITAN_CHANNEL_EDIT_INTERVAL_MS: 'editIntervalMs',
  },
  flat: {
    channels: 'enabled',
    telegramMode: 'telegramMode',
    telegramApiUrl: 'telegramApiUrl',
    slackApiUrl: 'slackApiUrl',
    discordApiUrl: 'discordApiUrl',
    whatsappApiUrl: 'whatsappApiUrl',
    channelEditIntervalMs: 'editIntervalMs',
    channelMaxBodyBytes: 'maxBodyBytes',
  },
});

/** The section with its older per-platform keys folded into apiUrls and polling (the new keys win). */
export function resolveChannelsConfig(config: ChannelsConfig): ChannelsConfig {
  const defaults = channelsSection.defaults;
  const older: Record<string, string> = {};
  const urls = { telegram: 'telegramApiUrl', slack: 'slackApiUrl', discord: 'discordApiUrl', whatsapp: 'whatsappApiUrl' } as const;
  // Only a value someone set: the defaults are the manifests' own addresses.
  for (const [name, key] of Object.entries(urls)) if (config[key] !== defaults[key]) older[name] = config[key];
  const polling = config.telegramMode === 'polling' && !config.polling.includes('telegram') ? [...config.polling, 'telegram'] : config.polling;
  return { ...config, apiUrls: { ...older, ...config.apiUrls }, polling };
}
