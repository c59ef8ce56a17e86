// The channels at run time: webhook routes (public, authenticated by the platform's signature as
// the channel component checks it), Telegram polling, pairing, one Titan thread per platform
// chat and sender, and the agent's answer streamed back to the chat.
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import { TitanError, isTitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/api.ts';
import { channelsSection, type ChannelsConfig } from './config.ts';
import type { Agent, TurnEvent } from '../../agent/api.ts';
import type { Thread } from '../../kernel/store-client.ts';
import { ChannelSender } from './outbound.ts';
import { getPairing, openPairing } from '../../agent/pairing.ts';
import { CHANNEL_NAMES, PLATFORMS, isChannelName, type ChannelName } from './platforms.ts';
import { readRawBody } from './raw-body.ts';
import { ReplyStream } from './reply-stream.ts';
import { ChannelSecrets, type SecretSource } from './secrets.ts';
import { TelegramPoller } from './telegram-poller.ts';
import { verificationHeaders, type RawRequest } from './verify.ts';

/** Every public webhook route: authenticated by the platform's signature, not the gateway token. */
export const CHANNEL_WEBHOOK_ROUTES: Array<[method: string, path: string]> = CHANNEL_NAMES.flatMap(
  (name) =>
    [
      ['GET', `/channels/${name}/webhook`],
      ['POST', `/channels/${name}/webhook`],
    ] as Array<[string, string]>,
);
const WEBHOOK_PATH = /^\/channels\/([a-z]+)\/webhook$/;
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
type Decoded = { messages: ChannelMessage[]; cursor?: string; skipped?: string[] };
type WireResponse = { status: number; headers: Array<[string, string]>; body: Uint8Array };

export type ChannelRuntimeOptions = {
  kernel: Kernel;
  agent: Agent;
  /** The channels to run; each needs its secrets. */
  channels: ChannelName[];
  secrets: SecretSource;
  /** The channels' section of the configuration; default its defaults. */
  config?: ChannelsConfig;
  fetch?: typeof fetch;
};

type Channel = { name: ChannelName; secrets: ChannelSecrets; sender: ChannelSender; poller?: TelegramPoller };

/** The channels to run: those listed in the config, and those whose secrets are all set. */
export function enabledChannels(config: ChannelsConfig, source: SecretSource): ChannelName[] {
  return CHANNEL_NAMES.filter((name) => config.enabled.includes(name) || ChannelSecrets.missing(name, source).length === 0);
}

export function pairingReply(code: string): string {
  return `Hello! I answer only people my owner has approved. Your pairing code is ${code}: ask the owner to run "titan pairing approve ${code}", then send your message again.`;
}

export function resendAsText(what: string): string {
  return `I cannot read ${what} here, so the assistant was told only that you sent one. Please send your message again as text.`;
}

export class ChannelRuntime {
  readonly #kernel: Kernel;
  readonly #agent: Agent;
  readonly #config: ChannelsConfig;
  readonly #channels = new Map<ChannelName, Channel>();
  /** One exchange at a time per thread, in arrival order. */
  readonly #queues = new Map<string, Promise<void>>();
  readonly #pending = new Set<Promise<void>>();
  /** When each unpaired sender was last told their code. */
  readonly #pairingReplies = new Map<string, number>();
  /** Events by "channel outcome", for /metrics. */
  readonly #counts = new Map<string, number>();
  #closed = false;
  /** Aborted on close: answers still waiting for their turn stop waiting. */
  readonly #closing = new AbortController();

  constructor(options: ChannelRuntimeOptions) {
    this.#kernel = options.kernel;
    this.#agent = options.agent;
    this.#config = options.config ?? channelsSection.defaults;
    for (const name of options.channels) {
      const missing = ChannelSecrets.missing(name, options.secrets);
      if (missing.length) {
        throw new TitanError('TITAN_E_CHANNEL_CONFIG', `the ${name} channel needs ${missing.join(', ')}`);
      }
      const secrets = new ChannelSecrets(name, options.secrets);
      const sender = new ChannelSender(this.#kernel, name, PLATFORMS[name].apiUrl(this.#config), secrets, options.fetch);
      this.#channels.set(name, { name, secrets, sender });
    }
  }

  /** Starts what runs on its own (Telegram polling when configured). */
  start(): void {
    const telegram = this.#channels.get('telegram');
    if (telegram && this.#config.telegramMode === 'polling') {
      telegram.poller = new TelegramPoller(this.#kernel, telegram.sender, (body) =>
        this.#receive(
          'telegram',
          {
            method: 'POST',
            path: '/poll',
            headers: [],
            body: Buffer.from(body),
          },
          [['x-titan-origin', 'poll']],
        ),
      );
      telegram.poller.start();
    }
  }

  #count(channel: ChannelName, outcome: string): void {
    const key = `${channel} ${outcome}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  /** Events so far by channel and outcome (received, replayed, refused, malformed, unpaired, unsupported, answered, failed). */
  counts(): Array<{ channel: string; outcome: string; count: number }> {
    return [...this.#counts].map(([key, count]) => {
      const [channel, outcome] = key.split(' ');
      return { channel, outcome, count };
    });
  }

  get names(): ChannelName[] {
    return [...this.#channels.keys()];
  }

  /** The sender of a running channel (routines push their answers through it). */
  senderOf(name: ChannelName): ChannelSender | undefined {
    return this.#channels.get(name)?.sender;
  }

  /** Koa middleware for /channels/<name>/webhook (mounted before the token check). */
  middleware() {
    return async (ctx: Context, next: Next): Promise<void> => {
      const match = WEBHOOK_PATH.exec(ctx.path);
      if (!match) return next();
      const name = match[1];
      if (!isChannelName(name) || !this.#channels.has(name)) {
        throw new TitanError('TITAN_E_CHANNEL_UNKNOWN', `no channel "${name}" is running here`);
      }
      if (ctx.method !== 'GET' && ctx.method !== 'POST') throw new TitanError('TITAN_E_NOT_FOUND', `no route ${ctx.method} ${ctx.path}`);
      if (name === 'telegram' && this.#config.telegramMode === 'polling') {
        throw new TitanError('TITAN_E_CHANNEL_UNKNOWN', 'the telegram channel polls for updates; its webhook is off', {
          fix: 'set channels.telegramMode to "webhook" to receive updates here',
        });
      }
      const body = await readRawBody(ctx.req, this.#config.maxBodyBytes);
      const headers = Object.entries(ctx.headers).flatMap(([k, v]) =>
        v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string]),
      );
      const raw: RawRequest = { method: ctx.method, path: ctx.url.slice(`/channels/${name}/webhook`.length) || '/', headers, body };
      const channel = this.#channels.get(name)!;
      const { response, replayed } = await this.#receive(name, raw, verificationHeaders(name, raw, channel.secrets));
      ctx.status = response.status;
      for (const [key, value] of response.headers) ctx.set(key, value);
      if (replayed) ctx.set('x-titan-replay', 'TITAN_E_CHANNEL_REPLAY');
      ctx.body = Buffer.from(response.body);
    };
  }

  /** Decodes a request, claims its events (a replay is acknowledged, never answered twice), and queues the fresh ones. */
  async #receive(
    name: ChannelName,
    raw: RawRequest,
    secretHeaders: Array<[string, string]>,
  ): Promise<{ response: WireResponse; replayed: boolean; cursor?: string }> {
    let inbound: { messagesJson: string; response: WireResponse };
    try {
      inbound = (await this.#kernel.call('channel', name, 'decode-inbound', [
        { method: raw.method, path: raw.path, headers: raw.headers, body: new Uint8Array(raw.body) },
        secretHeaders,
      ])) as typeof inbound;
    } catch (error) {
      const coded = this.#decodeError(name, error);
      if (coded.code === 'TITAN_E_CHANNEL_SIGNATURE') this.#count(name, 'refused');
      if (coded.code === 'TITAN_E_CHANNEL_PAYLOAD') this.#count(name, 'malformed');
      throw coded;
    }
    const decoded = JSON.parse(inbound.messagesJson) as Decoded;
    for (const why of decoded.skipped ?? []) this.#kernel.logger.warn({ channel: name }, `TITAN_E_CHANNEL_PAYLOAD: an update was skipped: ${why}`);
    let replays = 0;
    for (const message of decoded.messages) {
      const { claimed } = await this.#kernel.store.op('channels.event.claim', { channel: name, eventId: message.eventId });
      this.#count(name, claimed ? 'received' : 'replayed');
      if (!claimed) {
        replays++;
        this.#kernel.logger.info({ channel: name, eventId: message.eventId }, 'TITAN_E_CHANNEL_REPLAY: a platform event arrived again; not answered twice');
        continue;
      }
      this.#enqueue(name, message);
    }
    return { response: inbound.response, replayed: replays > 0 && replays === decoded.messages.length, cursor: decoded.cursor };
  }

  #decodeError(name: ChannelName, error: unknown): TitanError {
    if (!isTitanError(error, 'TITAN_E_COMPONENT_ERROR')) return error instanceof TitanError ? error : new TitanError('TITAN_E_INTERNAL', String(error));
    const details = error.details as { tag?: string; payload?: { val?: string } } | undefined;
    const why = details?.payload?.val ?? error.message;
    if (details?.tag === 'unauthenticated') return new TitanError('TITAN_E_CHANNEL_SIGNATURE', `${name} webhook refused: ${why}`);
    return new TitanError('TITAN_E_CHANNEL_PAYLOAD', `${name} webhook not understood: ${why}`);
  }

  #enqueue(name: ChannelName, message: ChannelMessage): void {
    const key = `${name}:${message.chatId}:${message.senderId}`;
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.#handle(name, message))
      .catch((error: unknown) => {
        this.#count(name, 'failed');
        this.#kernel.logger.warn({ err: error, channel: name, eventId: message.eventId }, 'a channel message could not be answered');
      });
    this.#queues.set(key, next);
    this.#pending.add(next);
    void next.finally(() => {
      this.#pending.delete(next);
      if (this.#queues.get(key) === next) this.#queues.delete(key);
    });
  }

  /** Resolves when every message received so far has been answered (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  async #handle(name: ChannelName, message: ChannelMessage): Promise<void> {
    const channel = this.#channels.get(name)!;
    const pairing = await getPairing(this.#kernel.store, name, message.senderId);
    if (pairing?.state === 'denied') return; // the owner said no: not even a reply
    if (pairing?.state !== 'approved') {
      this.#count(name, 'unpaired');
      const opened =
        pairing ??
        (await openPairing(this.#kernel.store, { channel: name, senderId: message.senderId, chatId: message.chatId, senderName: message.senderName }));
      // One reminder an hour at most: a stranger writing on cannot make the bot write back on
      // every message. A Discord command always gets it: its deferred response awaits an answer.
      const key = `${name}:${message.senderId}`;
      const last = this.#pairingReplies.get(key);
      if (name === 'discord' || last === undefined || Date.now() - last > PAIRING_REMINDER_MS) {
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
    const thread = await this.#threadFor(name, message);
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
  async #threadFor(name: ChannelName, message: ChannelMessage): Promise<Thread> {
    const externalId = `${message.chatId}:${message.senderId}`;
    const found = await this.#kernel.store.op('threads.byExternal', { channel: name, externalId });
    if (found) return found;
    const title = `${PLATFORMS[name].title}: ${message.senderName ?? message.senderId}`;
    return this.#kernel.store.createThread({ id: randomUUID(), userId: `${name}:${message.senderId}`, title, channel: name, externalId });
  }

  async #answer(channel: Channel, thread: Thread, message: ChannelMessage, firstPart: number): Promise<void> {
    const platform = PLATFORMS[channel.name];
    const stream = new ReplyStream(
      {
        send: async (text, part) => (await channel.sender.perform({ op: 'send', context: message.context, text, part })).messageId,
        edit: async (messageId, text, part) => void (await channel.sender.perform({ op: 'edit', context: message.context, text, part, messageId })),
      },
      { maxChars: platform.maxChars, canEdit: platform.canEdit, intervalMs: this.#config.editIntervalMs },
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
        const sent = await this.#agent.send(thread.user_id, thread.id, message.text);
        void sent.run.done.catch(() => undefined);
        const end = await this.#unlessClosing(ended);
        if (end) await sent.run.done.catch(() => undefined); // the thread is free for the next message
        final = text.trim() === '' ? '(the assistant finished without a written answer)' : text;
        if (end?.type === 'turn.failed') final = `${text}${text ? '\n\n' : ''}(the answer failed: ${end.message})`;
        if (end?.type === 'turn.interrupted' || end === undefined) final = `${text}${text ? '\n\n' : ''}(the answer was interrupted)`;
      } catch (error) {
        // The sender hears that it failed (the kernel log has the details), never silence.
        const code = error instanceof TitanError ? error.code : 'TITAN_E_INTERNAL';
        this.#kernel.logger.warn({ err: error, channel: channel.name, threadId: thread.id }, 'a channel message could not start a turn');
        final = `${text}${text ? '\n\n' : ''}(Titan could not answer this message: ${code})`;
      }
      await stream.finish(final);
    } finally {
      off();
    }
  }

  /** The promise's value, or undefined as soon as the runtime closes. */
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

  async close(): Promise<void> {
    this.#closed = true;
    this.#closing.abort();
    for (const channel of this.#channels.values()) await channel.poller?.stop();
    await this.idle();
  }
}
