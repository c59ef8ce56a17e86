// What the host knows of each platform: where its API lives, how long a message may be, whether a
// sent message can be edited, and which secrets the channel uses. Secrets are split by use: the
// component may name an "outbound" one in a request (the host puts it there on the way out);
// "verification" ones never leave the host, which computes what the component checks with them.
import type { ChannelsConfig } from './config.ts';

export const CHANNEL_NAMES = ['telegram', 'slack', 'discord', 'whatsapp'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

export type Platform = {
  name: ChannelName;
  title: string;
  apiUrl: (config: ChannelsConfig) => string;
  /** Longest text one message may hold: longer answers are sent as several messages. */
  maxChars: number;
  /** Whether a sent message can be edited, so a growing answer is shown as it grows. */
  canEdit: boolean;
  /** Secret name -> the environment variable (or key of channel-secrets.json) holding it. */
  outboundSecrets: Record<string, string>;
  verificationSecrets: Record<string, string>;
  /** Secrets without which the channel cannot run. */
  required: string[];
};

export const PLATFORMS: Record<ChannelName, Platform> = {
  telegram: {
    name: 'telegram',
    title: 'Telegram',
    apiUrl: (c) => c.telegramApiUrl,
    maxChars: 4096,
    canEdit: true,
    outboundSecrets: { 'bot-token': 'TITAN_TELEGRAM_BOT_TOKEN' },
    verificationSecrets: { 'webhook-secret': 'TITAN_TELEGRAM_WEBHOOK_SECRET' },
    required: ['bot-token'],
  },
  slack: {
    name: 'slack',
    title: 'Slack',
    apiUrl: (c) => c.slackApiUrl,
    // Slack truncates a message's text past 40,000 characters.
    maxChars: 40000,
    canEdit: true,
    outboundSecrets: { 'bot-token': 'TITAN_SLACK_BOT_TOKEN' },
    verificationSecrets: { 'signing-secret': 'TITAN_SLACK_SIGNING_SECRET' },
    required: ['bot-token', 'signing-secret'],
  },
  discord: {
    name: 'discord',
    title: 'Discord',
    apiUrl: (c) => c.discordApiUrl,
    // Replies go through the interaction's webhook, authenticated by the interaction token itself.
    maxChars: 2000,
    canEdit: true,
    outboundSecrets: {},
    verificationSecrets: { 'public-key': 'TITAN_DISCORD_PUBLIC_KEY' },
    required: ['public-key'],
  },
  whatsapp: {
    name: 'whatsapp',
    title: 'WhatsApp',
    apiUrl: (c) => c.whatsappApiUrl,
    maxChars: 4096,
    canEdit: false,
    outboundSecrets: { 'access-token': 'TITAN_WHATSAPP_ACCESS_TOKEN' },
    verificationSecrets: { 'app-secret': 'TITAN_WHATSAPP_APP_SECRET', 'verify-token': 'TITAN_WHATSAPP_VERIFY_TOKEN' },
    required: ['access-token', 'app-secret', 'verify-token'],
  },
};

export function isChannelName(name: string): name is ChannelName {
  return (CHANNEL_NAMES as readonly string[]).includes(name);
}
