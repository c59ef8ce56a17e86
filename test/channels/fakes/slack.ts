// A fake Slack on loopback: the Web API's chat.postMessage and chat.update (Bearer bot token,
// {ok, channel, ts} answers, {ok:false, error} on failure), and the Events API side: event
// envelopes signed with v0 HMAC-SHA256 of "v0:{timestamp}:{body}" as Slack signs them.
import { createHmac } from 'node:crypto';
import { postWebhook, type WebhookAnswer } from './post.ts';
import { startFakeServer, type FakeServer } from './server.ts';

export type SlackMessage = { channel: string; ts: string; text: string; threadTs?: string; edits: string[] };

export type FakeSlack = FakeServer & {
  botToken: string;
  signingSecret: string;
  botUserId: string;
  sent: SlackMessage[];
  messageEvent(fields: { eventId: string; user?: string; text?: string; channel?: string; extra?: object }): object;
  /** Posts a body to Titan's Events API URL, signed unless told otherwise. */
  deliver(url: string, body: object | string, options?: { timestamp?: number; signature?: string; retryNum?: number }): Promise<WebhookAnswer>;
};

export async function startFakeSlack(): Promise<FakeSlack> {
  const botToken = 'xoxb-1111-2222-fake';
  const signingSecret = '8f742231b10e8888abcd99yyyzzz85a5';
  const botUserId = 'UBOT0001';
  const sent: SlackMessage[] = [];
  let counter = 0;

  const server = await startFakeServer((request) => {
    if (request.headers.authorization !== `Bearer ${botToken}`) return { json: { ok: false, error: 'invalid_auth' } };
    const body = request.json ?? {};
    switch (request.path) {
      case '/chat.postMessage': {
        if (!body.channel) return { json: { ok: false, error: 'channel_not_found' } };
        if (!body.text) return { json: { ok: false, error: 'no_text' } };
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(6, '0')}`;
        sent.push({ channel: body.channel, ts, text: body.text, threadTs: body.thread_ts, edits: [] });
        return {
          json: {
            ok: true,
            channel: body.channel,
            ts,
            message: { type: 'message', subtype: 'bot_message', text: body.text, ts, user: botUserId, bot_id: 'B0001' },
          },
        };
      }
      case '/chat.update': {
        const message = sent.find((m) => m.channel === body.channel && m.ts === body.ts);
        if (!message) return { json: { ok: false, error: 'message_not_found' } };
        message.text = body.text;
        message.edits.push(body.text);
        return { json: { ok: true, channel: body.channel, ts: body.ts, text: body.text, message: { text: body.text, user: botUserId } } };
      }
      default:
        return { status: 404, json: { ok: false, error: 'unknown_method' } };
    }
  });

  return {
    ...server,
    botToken,
    signingSecret,
    botUserId,
    sent,
    messageEvent({ eventId, user = 'U0ADA', text, channel = 'D0ADA', extra = {} }) {
      return {
        token: 'verification-token-unused',
        team_id: 'T0001',
        api_app_id: 'A0001',
        type: 'event_callback',
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        event_context: '4-eyJldCI6Im1lc3NhZ2UifQ',
        authorizations: [{ enterprise_id: null, team_id: 'T0001', user_id: botUserId, is_bot: true, is_enterprise_install: false }],
        event: {
          type: 'message',
          channel,
          user,
          ...(text !== undefined ? { text } : {}),
          ts: `${Math.floor(Date.now() / 1000)}.000100`,
          event_ts: `${Math.floor(Date.now() / 1000)}.000100`,
          channel_type: 'im',
          ...extra,
        },
      };
    },
    deliver(url, body, options = {}) {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
      const signature = options.signature ?? `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${raw}`).digest('hex')}`;
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature };
      if (options.retryNum !== undefined) Object.assign(headers, { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' });
      return postWebhook(url, 'POST', headers, raw);
    },
  };
}
