// The channels at run time: every channel component serving in the kernel whose manifest declares
// its platform, started when its secrets are set (or the config lists it), including one deployed
// while Titan runs; webhook routes (public, authenticated by the platform's signature as the
// channel component checks it), polling where declared, and each fresh message handed on to be
// answered, one at a time per chat and sender.
import type { Context, Next } from 'koa';
import { TitanError, isTitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/api.ts';
import type { Agent } from '../../agent/api.ts';
import { channelsSection, resolveChannelsConfig, type ChannelsConfig } from './config.ts';
import { Conversations, type ChannelMessage, type RunningChannel } from './conversation.ts';
import { ChannelSender } from './outbound.ts';
import { ChannelPoller } from './poller.ts';
import { readRawBody } from './raw-body.ts';
import { ChannelSecrets, type SecretSource } from './secrets.ts';
import { apiUrlOf, polls, servingChannel, type ChannelSpec } from './specs.ts';
import { verificationHeaders, type RawRequest } from './verify.ts';

export { pairingReply, resendAsText, type ChannelMessage } from './conversation.ts';

const WEBHOOK_PATH = /^\/channels\/([a-z][a-z0-9-]{0,62})\/webhook$/;

type Decoded = { messages: ChannelMessage[]; cursor?: string; skipped?: string[] };
type WireResponse = { status: number; headers: Array<[string, string]>; body: Uint8Array };

export type ChannelRuntimeOptions = {
  kernel: Kernel;
  agent: Agent;
  /** The channels to run now (each serving, with its secrets); others start when deployed. */
  channels: string[];
  secrets: SecretSource;
  /** Reads the secrets again (a channel deployed later may use secrets stored since the start). */
  reloadSecrets?: () => Promise<SecretSource>;
  /** The channels' section of the configuration; default its defaults. */
  config?: ChannelsConfig;
  fetch?: typeof fetch;
  /** Where the runtime says what it started (the `titan start` output). */
  say?: (line: string) => void;
};

type Channel = RunningChannel & { secrets: ChannelSecrets; poller?: ChannelPoller };

/** GET and POST /channels/<name>/webhook for each channel: public, checked by the platform's signature. */
export function webhookRoutes(names: string[]): Array<[method: string, path: string]> {
  return names.flatMap((name) => [
    ['GET', `/channels/${name}/webhook`],
    ['POST', `/channels/${name}/webhook`],
  ]);
}

/** Whether a channel starts: listed in the config, or every secret it requires set (it must require one). */
export function wanted(spec: ChannelSpec, config: ChannelsConfig, source: SecretSource): boolean {
  const requires = Object.values(spec.secrets).some((s) => s.required);
  return config.enabled.includes(spec.name) || (requires && ChannelSecrets.missing(spec, source).length === 0);
}

/** The line `titan start` prints for a running channel. */
export function describeChannel(spec: ChannelSpec, config: ChannelsConfig): string {
  return `channel ${spec.name}: ${polls(spec, config) ? 'polling its platform' : `webhook at <public URL of this gateway>/channels/${spec.name}/webhook`}`;
}

export class ChannelRuntime {
  readonly #kernel: Kernel;
  readonly #config: ChannelsConfig;
  readonly #fetch: typeof fetch | undefined;
  readonly #reloadSecrets: (() => Promise<SecretSource>) | undefined;
  readonly #say: (line: string) => void;
  #secrets: SecretSource;
  readonly #channels = new Map<string, Channel>();
  readonly #conversations: Conversations;
  /** One exchange at a time per thread, in arrival order. */
  readonly #queues = new Map<string, Promise<void>>();
  readonly #pending = new Set<Promise<void>>();
  /** Events by "channel outcome", for /metrics. */
  readonly #counts = new Map<string, number>();
  #unwatch: Array<() => void> = [];
  #started = false;

  constructor(options: ChannelRuntimeOptions) {
    this.#kernel = options.kernel;
    this.#config = resolveChannelsConfig(options.config ?? channelsSection.defaults);
    this.#fetch = options.fetch;
    this.#secrets = options.secrets;
    this.#reloadSecrets = options.reloadSecrets;
    this.#say = options.say ?? ((line) => this.#kernel.logger.info(line));
    this.#conversations = new Conversations(options.kernel, options.agent, this.#config, (channel, outcome) => this.#count(channel, outcome));
    for (const name of options.channels) {
      const spec = servingChannel(this.#kernel, name);
      if (!spec) {
        throw new TitanError('TITAN_E_CHANNEL_CONFIG', `no channel component serving as channel/${name} declares its platform (a "channel" section)`, {
          fix: `publish and deploy a channel component named ${name} (titan registry publish DIR, then titan kernel propose channel/${name})`,
        });
      }
      const missing = ChannelSecrets.missing(spec, this.#secrets);
      if (missing.length) throw new TitanError('TITAN_E_CHANNEL_CONFIG', `the ${name} channel needs ${missing.join(', ')}`);
      this.#channels.set(name, this.#open(spec));
    }
  }

  #open(spec: ChannelSpec): Channel {
    const secrets = new ChannelSecrets(spec, this.#secrets);
    const sender = new ChannelSender(this.#kernel, spec.name, apiUrlOf(spec, this.#config), secrets, this.#fetch);
    return { spec, secrets, sender };
  }

  /** Starts the pollers, and follows deployments: a channel deployed from now on starts (or is refreshed) without a restart. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const channel of this.#channels.values()) this.#startPolling(channel);
    const onChange = ({ slot }: { slot: string }) => {
      if (!slot.startsWith('channel/')) return;
      const name = slot.slice('channel/'.length);
      this.#refresh(name).catch((error: unknown) => this.#kernel.logger.warn({ err: error, channel: name }, 'a deployed channel could not start'));
    };
    this.#unwatch = [this.#kernel.bus.on('component.deployed', onChange), this.#kernel.bus.on('component.rolled_back', onChange)];
  }

  #startPolling(channel: Channel): void {
    if (!polls(channel.spec, this.#config)) return;
    const name = channel.spec.name;
    channel.poller = new ChannelPoller(this.#kernel, name, channel.sender, (body) =>
      this.#receive(name, { method: 'POST', path: '/poll', headers: [], body: Buffer.from(body) }, [['x-titan-origin', 'poll']]),
    );
    channel.poller.start();
  }

  /** A version of channel/<name> now serves: its platform as that version declares it, running if wanted. */
  async #refresh(name: string): Promise<void> {
    const spec = servingChannel(this.#kernel, name);
    const before = this.#channels.get(name);
    if (this.#reloadSecrets) this.#secrets = await this.#reloadSecrets();
    if (!spec) {
      if (before) this.#kernel.logger.warn({ channel: name }, `the serving ${name} channel declares no platform; it keeps the previous one`);
      else this.#say(`channel ${name} not started: its manifest has no "channel" section (see README, Writing a component)`);
      return;
    }
    if (!before && !wanted(spec, this.#config, this.#secrets)) {
      const missing = ChannelSecrets.missing(spec, this.#secrets);
      this.#say(`channel ${name} deployed but not started: ${missing.length ? `set ${missing.join(', ')}` : `list it in channels.enabled`}`);
      return;
    }
    const missing = ChannelSecrets.missing(spec, this.#secrets);
    if (missing.length) {
      this.#say(`channel ${name} not ${before ? 'refreshed' : 'started'}: set ${missing.join(', ')}`);
      return;
    }
    await before?.poller?.stop();
    const channel = this.#open(spec);
    this.#channels.set(name, channel);
    this.#startPolling(channel);
    if (!before) this.#say(describeChannel(spec, this.#config));
  }

  #count(channel: string, outcome: string): void {
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

  get names(): string[] {
    return [...this.#channels.keys()];
  }

  /** A running channel: its platform and its sender (routines push their answers through it). */
  channel(name: string): RunningChannel | undefined {
    return this.#channels.get(name);
  }

  /** Whether a component serves as channel/<name>, running or not. */
  knows(name: string): boolean {
    return this.#channels.has(name) || this.#kernel.serving('channel', name) !== undefined;
  }

  /** Koa middleware for /channels/<name>/webhook (mounted before the token check). */
  middleware() {
    return async (ctx: Context, next: Next): Promise<void> => {
      const match = WEBHOOK_PATH.exec(ctx.path);
      if (!match) return next();
      const name = match[1];
      const channel = this.#channels.get(name);
      if (!channel) throw new TitanError('TITAN_E_CHANNEL_UNKNOWN', `no channel "${name}" is running here`);
      if (ctx.method !== 'GET' && ctx.method !== 'POST') throw new TitanError('TITAN_E_NOT_FOUND', `no route ${ctx.method} ${ctx.path}`);
      if (polls(channel.spec, this.#config)) {
        throw new TitanError('TITAN_E_CHANNEL_UNKNOWN', `the ${name} channel polls for updates; its webhook is off`, {
          fix: `remove ${name} from channels.polling (or set channels.telegramMode to "webhook") to receive updates here`,
        });
      }
      const body = await readRawBody(ctx.req, this.#config.maxBodyBytes);
      const headers = Object.entries(ctx.headers).flatMap(([k, v]) =>
        v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string]),
      );
      const raw: RawRequest = { method: ctx.method, path: ctx.url.slice(`/channels/${name}/webhook`.length) || '/', headers, body };
      const { response, replayed } = await this.#receive(name, raw, verificationHeaders(channel.spec.verify, raw, channel.secrets));
      ctx.status = response.status;
      for (const [key, value] of response.headers) ctx.set(key, value);
      if (replayed) ctx.set('x-titan-replay', 'TITAN_E_CHANNEL_REPLAY');
      ctx.body = Buffer.from(response.body);
    };
  }

  /** Decodes a request, claims its events (a replay is acknowledged, never answered twice), and queues the fresh ones. */
  async #receive(
    name: string,
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

  #decodeError(name: string, error: unknown): TitanError {
    if (!isTitanError(error, 'TITAN_E_COMPONENT_ERROR')) return error instanceof TitanError ? error : new TitanError('TITAN_E_INTERNAL', String(error));
    const details = error.details as { tag?: string; payload?: { val?: string } } | undefined;
    const why = details?.payload?.val ?? error.message;
    if (details?.tag === 'unauthenticated') return new TitanError('TITAN_E_CHANNEL_SIGNATURE', `${name} webhook refused: ${why}`);
    return new TitanError('TITAN_E_CHANNEL_PAYLOAD', `${name} webhook not understood: ${why}`);
  }

  #enqueue(name: string, message: ChannelMessage): void {
    const key = `${name}:${message.chatId}:${message.senderId}`;
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous
      // The channel as it is when the message's turn comes (a swap in between is honoured).
      .then(() => this.#conversations.handle(this.#channels.get(name)!, message))
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

  async close(): Promise<void> {
    for (const off of this.#unwatch) off();
    this.#conversations.close();
    for (const channel of this.#channels.values()) await channel.poller?.stop();
    await this.idle();
  }
}
