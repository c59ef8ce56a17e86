// One channel message answered: the sender's pairing (an unpaired sender gets a code, not the
// agent), the thread of this chat and sender, and the agent's answer streamed back into the chat.
import { randomUUID } from 'node:crypto';
import { TitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/api.ts';
import type { Agent, TurnEvent } from '../../agent/api.ts';
import type { Thread } from '../../kernel/store-client.ts';
import { getPairing, openPairing } from '../../agent/pairing.ts';
import type { ChannelsConfig } from './config.ts';
import type { ChannelSender } from './outbound.ts';
import { ReplyStream } from './reply-stream.ts';
import type { ChannelSpec } from './specs.ts';

const TERMINAL = new Set(['turn.completed', 'turn.failed', 'turn.interrupted']);
const PAIRING_REMINDER_MS = 60 * 60 * 1000;

/** A message as a channel component decodes it (components/channels/lib/http.js). */
export type ChannelMessage = {
  eventId: string;
  chatId: string;
  senderId: string;
  senderName?: string;
  direct?: boolean;
  text: string;
  unsupported?: string;
  context: unknown;
};

/** A running channel: its platform as its manifest declares it, and how to send to it. */
export type RunningChannel = { spec: ChannelSpec; sender: ChannelSender };

export function pairingReply(code: string): string {
  return `Hello! I answer only people my owner has approved. Your pairing code is ${code}: ask the owner to run "titan pairing approve ${code}", then send your message again.`;
}

export function resendAsText(what: string): string {
  return `I cannot read ${what} here, so the assistant was told only that you sent one. Please send your message again as text.`;
}

export class Conversations {
  readonly #kernel: Kernel;
  readonly #agent: Agent;
  readonly #config: ChannelsConfig;
  readonly #count: (channel: string, outcome: string) => void;
  /** When each unpaired sender was last told their code. */
  readonly #pairingReplies = new Map<string, number>();
  #closed = false;
  /** Aborted on close: answers still waiting for their turn stop waiting. */
  readonly #closing = new AbortController();

  constructor(kernel: Kernel, agent: Agent, config: ChannelsConfig, count: (channel: string, outcome: string) => void) {
    this.#kernel = kernel;
    this.#agent = agent;
    this.#config = config;
    this.#count = count;
  }

  async handle(channel: RunningChannel, message: ChannelMessage): Promise<void> {
    const name = channel.spec.name;
    const pairing = await getPairing(this.#kernel.store, name, message.senderId);
    if (pairing?.state === 'denied') return; // the owner said no: not even a reply
    if (pairing?.state !== 'approved') {
      this.#count(name, 'unpaired');
      const opened =
        pairing ??
        (await openPairing(this.#kernel.store, { channel: name, senderId: message.senderId, chatId: message.chatId, senderName: message.senderName }));
      // One reminder an hour at most: a stranger writing on cannot make the bot write back on
      // every message. A platform that awaits an answer to every request (Discord) always gets it.
      const key = `${name}:${message.senderId}`;
      const last = this.#pairingReplies.get(key);
      if (channel.spec.answersEveryRequest || last === undefined || Date.now() - last > PAIRING_REMINDER_MS) {
        this.#pairingReplies.set(key, Date.now());
        await channel.sender.perform({ op: 'send', context: message.context, text: pairingReply(opened.code), part: 0 });
      }
      return;
    }
    if (this.#closed) {
      // Received (and acknowledged) as Titan stops: no turn can finish now, so say so.
      await channel.sender.perform({
        op: 'send',
        context: message.context,
        text: 'Titan is restarting and could not answer this; please send it again in a minute.',
        part: 0,
      });
      return;
    }
    const thread = await this.#threadFor(channel.spec, message);
    let part = 0;
    if (message.unsupported) {
      this.#count(name, 'unsupported');
      // The agent still hears that something arrived; the sender learns what to do instead.
      await channel.sender.perform({ op: 'send', context: message.context, text: resendAsText(message.unsupported), part: part++ });
    }
    await this.#answer(channel, thread, message, part);
    this.#count(name, 'answered');
  }

  /** The thread of this chat and sender: found by its external id, created on first contact. */
  async #threadFor(spec: ChannelSpec, message: ChannelMessage): Promise<Thread> {
    const externalId = `${message.chatId}:${message.senderId}`;
    const found = await this.#kernel.store.op('threads.byExternal', { channel: spec.name, externalId });
    if (found) return found;
    const title = `${spec.title}: ${message.senderName ?? message.senderId}`;
    return this.#kernel.store.createThread({ id: randomUUID(), userId: `${spec.name}:${message.senderId}`, title, channel: spec.name, externalId });
  }

  async #answer(channel: RunningChannel, thread: Thread, message: ChannelMessage, firstPart: number): Promise<void> {
    const stream = new ReplyStream(
      {
        send: async (text, part) => (await channel.sender.perform({ op: 'send', context: message.context, text, part })).messageId,
        edit: async (messageId, text, part) => void (await channel.sender.perform({ op: 'edit', context: message.context, text, part, messageId })),
      },
      { maxChars: channel.spec.maxChars, canEdit: channel.spec.canEdit, intervalMs: this.#config.editIntervalMs },
      firstPart,
    );

    let text = '';
    let notes = '';
    let resolveEnd!: (event: TurnEvent) => void;
    const ended = new Promise<TurnEvent>((resolve) => {
      resolveEnd = resolve;
    });
    // Subscribed before the turn starts: its first events may come before send() returns.
    const off = this.#kernel.bus.on('turn.event', (event) => {
      if (event.threadId !== thread.id) return;
      if (event.type === 'text') {
        text += event.text;
        stream.update(text + notes);
      } else if (event.type === 'approval.needed') {
        notes += `\n\n(waiting for the owner to approve the tool "${event.name}")`;
        stream.update(text + notes);
      } else if (TERMINAL.has(event.type)) {
        resolveEnd(event);
      }
    });
    try {
      let final: string;
      try {
        const sent = await this.#agent.send(thread.user_id, thread.id, message.text, { origin: 'person' });
        void sent.run.done.catch(() => undefined);
        const end = await this.#unlessClosing(ended);
        if (end) await sent.run.done.catch(() => undefined); // the thread is free for the next message
        final = text.trim() === '' ? '(the assistant finished without a written answer)' : text;
        if (end?.type === 'turn.failed') final = `${text}${text ? '\n\n' : ''}(the answer failed: ${end.message})`;
        if (end?.type === 'turn.interrupted' || end === undefined) final = `${text}${text ? '\n\n' : ''}(the answer was interrupted)`;
      } catch (error) {
        // The sender hears that it failed (the kernel log has the details), never silence.
        const code = error instanceof TitanError ? error.code : 'TITAN_E_INTERNAL';
        this.#kernel.logger.warn({ err: error, channel: channel.spec.name, threadId: thread.id }, 'a channel message could not start a turn');
        final = `${text}${text ? '\n\n' : ''}(Titan could not answer this message: ${code})`;
      }
      await stream.finish(final);
    } finally {
      off();
    }
  }

  /** The promise's value, or undefined as soon as the conversations close. */
  async #unlessClosing<T>(promise: Promise<T>): Promise<T | undefined> {
    const signal = this.#closing.signal;
    if (signal.aborted) return undefined;
    let onAbort!: () => void;
    const closed = new Promise<undefined>((resolve) => {
      onAbort = () => resolve(undefined);
    });
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await Promise.race([promise, closed]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    this.#closed = true;
    this.#closing.abort();
  }
}
