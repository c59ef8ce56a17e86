// Routines' answers pushed to a chat (the agent's RoutineDelivery port): a chat named by its
// platform id, or the one chat the owner paired on that channel; long answers in parts. A channel
// can be written to first only if its manifest says how (`channel.push`).
import { TitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/api.ts';
import { listPairings, type RoutineDelivery } from '../../agent/api.ts';
import type { ChannelRuntime } from './runtime.ts';
import type { ChannelSpec } from './specs.ts';

const refuse = (message: string) => new TitanError('TITAN_E_ROUTINE_DELIVERY', message);

/** What the channel component needs to send into a chat it was not just written from. */
function pushContext(spec: ChannelSpec, chat: string): unknown {
  // Discord answers through an interaction's short-lived token; WhatsApp needs the business number.
  if (!spec.push) throw refuse(`${spec.title} cannot be written to first; deliver to a channel that can (telegram, slack), or to a thread`);
  return { [spec.push.key]: spec.push.numeric && /^-?\d+$/.test(chat) ? Number(chat) : chat };
}

/** The chat of the single approved pairing on the channel. */
async function pairedChat(kernel: Kernel, channel: string): Promise<string> {
  const chats = [...new Set((await listPairings(kernel.store, 'approved')).filter((p) => p.channel === channel).map((p) => p.chat_id))];
  if (chats.length === 1) return chats[0];
  if (chats.length === 0)
    throw refuse(`no one is paired on ${channel} yet: write to the bot, approve the code (titan pairing approve), or name the chat (${channel}:<chat id>)`);
  throw refuse(`${chats.length} chats are paired on ${channel}: name one (${channel}:<chat id>)`);
}

export function routineDelivery(kernel: Kernel, runtime: ChannelRuntime | undefined): RoutineDelivery {
  return {
    async deliver(channel, chat, text) {
      const running = runtime?.channel(channel);
      if (!running) throw refuse(runtime?.knows(channel) ? `the ${channel} channel is not running here` : `there is no channel "${channel}"`);
      const chatId = chat ?? (await pairedChat(kernel, channel));
      const context = pushContext(running.spec, chatId);
      const max = running.spec.maxChars;
      for (let part = 0, at = 0; at < text.length; part++, at += max) {
        await running.sender.perform({ op: 'send', context, text: text.slice(at, at + max), part });
      }
      return `${channel}:${chatId}`;
    },
  };
}
