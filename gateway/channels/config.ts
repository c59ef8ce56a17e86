// The messaging channels' section of the configuration ({ "channels": { ... } }): which channels
// start, how Telegram receives updates, the platforms' API addresses and the channels' limits.
import { defineSection } from '../../common/config-section.ts';
import { CHANNEL_NAMES, type ChannelName } from './platforms.ts';

export type ChannelsConfig = {
  /** Channels to start besides those whose secrets are set. */
  enabled: ChannelName[];
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
    telegramMode: 'webhook',
    telegramApiUrl: 'https://api.telegram.org',
    slackApiUrl: 'https://slack.com/api',
    discordApiUrl: 'https://discord.com/api/v10',
    whatsappApiUrl: 'https://graph.facebook.com/v21.0',
    editIntervalMs: 1000,
    maxBodyBytes: 256 * 1024,
  },
  schema: {
    enabled: { type: 'array', items: { enum: [...CHANNEL_NAMES] } },
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
