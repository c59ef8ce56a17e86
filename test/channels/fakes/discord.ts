// A fake Discord on loopback: an application's Ed25519 key pair (node:crypto) that signs
// interactions as Discord does (X-Signature-Ed25519 over X-Signature-Timestamp + body), and the
// interaction webhooks: PATCH /webhooks/{application_id}/{token}/messages/@original, follow-ups
// (POST /webhooks/{application_id}/{token}) and their edits, answering message objects.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { postWebhook, type WebhookAnswer } from './post.ts';
import { startFakeServer, type FakeServer } from './server.ts';

export type DiscordMessage = { id: string; token: string; content: string; edits: string[]; original: boolean };

export type FakeDiscord = FakeServer & {
  applicationId: string;
  publicKey: string;
  messages: DiscordMessage[];
  ping(): object;
  command(fields: { id: string; userId?: string; name?: string; text?: string; attachment?: boolean }): object;
  deliver(url: string, body: object | string, options?: { timestamp?: number; key?: KeyObject; signature?: string }): Promise<WebhookAnswer>;
};

export async function startFakeDiscord(): Promise<FakeDiscord> {
  const applicationId = '1100000000000000001';
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  const tokens = new Set<string>();
  const messages: DiscordMessage[] = [];
  let counter = 0;

  const message = (m: DiscordMessage) => ({
    id: m.id,
    type: 20,
    content: m.content,
    channel_id: '1200000000000000001',
    author: { id: applicationId, username: 'Titan', bot: true },
    application_id: applicationId,
    webhook_id: applicationId,
    timestamp: new Date().toISOString(),
  });

  const server = await startFakeServer((request) => {
    const match = /^\/webhooks\/([^/]+)\/([^/?]+)(?:\/messages\/([^/?]+))?(?:\?.*)?$/.exec(request.path);
    if (!match || match[1] !== applicationId || !tokens.has(decodeURIComponent(match[2])))
      return { status: 404, json: { message: 'Unknown Webhook', code: 10015 } };
    const token = decodeURIComponent(match[2]);
    const content = request.json?.content;
    if (typeof content !== 'string' || content.length > 2000)
      return {
        status: 400,
        json: {
          message: 'Invalid Form Body',
          code: 50035,
          errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } },
        },
      };
    if (request.method === 'PATCH' && match[3] === '@original') {
      let original = messages.find((m) => m.token === token && m.original);
      if (!original) messages.push((original = { id: String(1300000000000000000n + BigInt(++counter)), token, content, edits: [], original: true }));
      else original.edits.push(content);
      original.content = content;
      return { json: message(original) };
    }
    if (request.method === 'PATCH' && match[3]) {
      const followUp = messages.find((m) => m.token === token && m.id === match[3]);
      if (!followUp) return { status: 404, json: { message: 'Unknown Message', code: 10008 } };
      followUp.content = content;
      followUp.edits.push(content);
      return { json: message(followUp) };
    }
    if (request.method === 'POST' && !match[3]) {
      const followUp = { id: String(1300000000000000000n + BigInt(++counter)), token, content, edits: [], original: false };
      messages.push(followUp);
      return { json: message(followUp) };
    }
    return { status: 405, json: { message: '405: Method Not Allowed', code: 0 } };
  });

  return {
    ...server,
    applicationId,
    publicKey: publicKeyHex,
    messages,
    ping: () => ({ id: `${Date.now()}${++counter}`, application_id: applicationId, type: 1, token: `ping-token-${counter}`, version: 1 }),
    command({ id, userId = '1400000000000000042', name = 'ask', text, attachment }) {
      const token = `aW50ZXJhY3Rpb246${id}`;
      tokens.add(token);
      const options: object[] = [];
      if (text !== undefined) options.push({ name: 'prompt', type: 3, value: text });
      if (attachment) options.push({ name: 'file', type: 11, value: '1500000000000000001' });
      return {
        id,
        application_id: applicationId,
        type: 2,
        token,
        version: 1,
        guild_id: '1600000000000000001',
        channel_id: '1200000000000000001',
        channel: { id: '1200000000000000001', type: 0 },
        member: { user: { id: userId, username: 'ada', global_name: 'Ada', discriminator: '0' }, roles: [], permissions: '0' },
        data: {
          id: '1700000000000000001',
          name,
          type: 1,
          options,
          ...(attachment
            ? {
                resolved: {
                  attachments: {
                    '1500000000000000001': {
                      id: '1500000000000000001',
                      filename: 'voice.ogg',
                      content_type: 'audio/ogg',
                      size: 1000,
                      url: 'https://cdn.example/voice.ogg',
                    },
                  },
                },
              }
            : {}),
        },
        locale: 'en-US',
        app_permissions: '0',
      };
    },
    deliver(url, body, options = {}) {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
      const signature = options.signature ?? sign(null, Buffer.from(timestamp + raw), options.key ?? privateKey).toString('hex');
      return postWebhook(url, 'POST', { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }, raw);
    },
  };
}
