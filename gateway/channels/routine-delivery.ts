// Routines' answers pushed to a chat (the agent's RoutineDelivery port): a chat named by its
// platform id, or the one chat the owner paired on that channel; long answers in parts.
import { TitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/api.ts';
import { listPairings, type RoutineDelivery } from '../../agent/api.ts';
import { isChannelName, PLATFORMS, type ChannelName } from './platforms.ts';
import type { ChannelRuntime } from './runtime.ts';

const refuse = (message: string) => new TitanError('TITAN_E_ROUTINE_DELIVERY', message);

/** What the channel component needs to send into a chat it was not just written from. */
function pushContext(channel: ChannelName, chat: string): unknown {
  switch (channel) {
    case 'telegram':
      return { chatId: /^-?\d+$/.test(chat) ? Number(chat) : chat };
    case 'slack':
      return { channel: chat };
    default:
      // Discord answers through an interaction's short-lived token; WhatsApp needs the business number.
      throw refuse(`${PLATFORMS[channel].title} cannot be written to first; deliver to telegram or slack, or to a thread`);
  }
}

/** The chat of the single approved pairing on the channel. */
async function pairedChat(kernel: Kernel, channel: ChannelName): Promise<string> {
  const chats = [...new Set((await listPairings(kernel.store, 'approved')).filter((p) => p.channel === channel).map((p) => p.chat_id))];
  if (chats.length === 1) return chats[0];
  if (chats.length === 0)
    throw refuse(`no one is paired on ${channel} yet: write to the bot, approve the code (titan pairing approve), or name the chat (${channel}:<chat id>)`);
  throw refuse(`${chats.length} chats are paired on ${channel}: name one (${channel}:<chat id>)`);
}

export function routineDelivery(kernel: Kernel, runtime: ChannelRuntime | undefined): RoutineDelivery {
  return {
    async deliver(channel, chat, text) {
      if (!isChannelName(channel)) throw refuse(`there is no channel "${channel}"`);
      const sender = runtime?.senderOf(channel);
      if (!sender) throw refuse(`the ${channel} channel is not running here`);
      const chatId = chat ?? (await pairedChat(kernel, channel));
      const context = pushContext(channel, chatId);
      const max = PLATFORMS[channel].maxChars;
      for (let part = 0, at = 0; at < text.length; part++, at += max) {
        await sender.perform({ op: 'send', context, text: text.slice(at, at + max), part });
      }
      return `${channel}:${chatId}`;
    },
  };
}
