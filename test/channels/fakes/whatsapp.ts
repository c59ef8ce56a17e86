// A fake WhatsApp Cloud API on loopback: POST /{phone-number-id}/messages with the Bearer access
// token (answering {messaging_product, contacts, messages:[{id: "wamid..."}]}, or a Graph API
// error), and the webhook side: the GET verification handshake and notifications signed with
// X-Hub-Signature-256 (sha256=HMAC-SHA256 of the raw body with the app secret).
import { createHmac } from 'node:crypto';
import { postWebhook, type WebhookAnswer } from './post.ts';
import { startFakeServer, type FakeServer } from './server.ts';

export type WhatsAppMessage = { id: string; to: string; text: string };

export type FakeWhatsApp = FakeServer & {
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  phoneNumberId: string;
  sent: WhatsAppMessage[];
  notification(fields: { id: string; from?: string; name?: string; type?: string; text?: string; extra?: object }): object;
  deliver(url: string, body: object | string, options?: { signature?: string }): Promise<WebhookAnswer>;
  handshake(url: string, verifyToken: string, challenge: string): Promise<WebhookAnswer>;
};

export async function startFakeWhatsApp(): Promise<FakeWhatsApp> {
  const accessToken = 'EAAG-fake-access-token';
  const appSecret = 'whatsapp-app-secret-0123456789';
  const verifyToken = 'verify-me-please';
  const phoneNumberId = '106540352242922';
  const sent: WhatsAppMessage[] = [];
  let counter = 0;

  const server = await startFakeServer((request) => {
    if (request.headers.authorization !== `Bearer ${accessToken}`) {
      return {
        status: 401,
        json: { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: 'Afake' } },
      };
    }
    const body = request.json ?? {};
    if (request.method !== 'POST' || request.path !== `/${phoneNumberId}/messages`) {
      return { status: 400, json: { error: { message: 'Unsupported post request.', type: 'GraphMethodException', code: 100, fbtrace_id: 'Afake' } } };
    }
    if (body.messaging_product !== 'whatsapp' || body.type !== 'text' || typeof body.text?.body !== 'string' || body.text.body.length > 4096) {
      return { status: 400, json: { error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, fbtrace_id: 'Afake' } } };
    }
    const id = `wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBI${++counter}`;
    sent.push({ id, to: body.to, text: body.text.body });
    return { json: { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id }] } };
  });

  return {
    ...server,
    accessToken,
    appSecret,
    verifyToken,
    phoneNumberId,
    sent,
    notification({ id, from = '15551234567', name = 'Ada', type = 'text', text, extra = {} }) {
      return {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '102290129340398',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
                  contacts: [{ profile: { name }, wa_id: from }],
                  messages: [
                    { from, id, timestamp: String(Math.floor(Date.now() / 1000)), type, ...(type === 'text' ? { text: { body: text } } : {}), ...extra },
                  ],
                },
              },
            ],
          },
        ],
      };
    },
    deliver(url, body, options = {}) {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      const signature = options.signature ?? `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
      return postWebhook(url, 'POST', { 'content-type': 'application/json', 'x-hub-signature-256': signature }, raw);
    },
    handshake(url, token, challenge) {
      const query = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': challenge });
      return postWebhook(`${url}?${query}`, 'GET', {});
    },
  };
}
