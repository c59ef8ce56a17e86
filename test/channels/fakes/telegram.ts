// A fake Telegram Bot API on loopback: /bot<token>/sendMessage, editMessageText and getUpdates
// (long polling with offsets, as https://core.telegram.org/bots/api describes), answering in the
// API's {ok, result} shapes; and the webhook side: posting an Update to Titan with the secret
// token header Telegram sends.
import { startFakeServer, type FakeServer } from './server.ts';
import { postWebhook } from './post.ts';

export type TelegramChatMessage = { message_id: number; chat_id: number | string; text: string; edits: string[] };

export type FakeTelegram = FakeServer & {
  token: string;
  /** Messages the bot sent, with every text each was edited to, in order. */
  sent: TelegramChatMessage[];
  /** Queues an update for getUpdates. */
  queueUpdate(update: object): void;
  /** Updates getUpdates returned (with their offsets): none may come twice after being confirmed. */
  delivered: number[];
  update(fields: { updateId: number; chatId?: number; fromId?: number; name?: string; text?: string; extra?: object }): object;
  /** Posts an update to Titan's webhook; answers the HTTP status, headers and body. */
  webhook(url: string, body: object | string, secret?: string): Promise<{ status: number; headers: Headers; body: any }>;
};

const BOT_ID = 777000;

export async function startFakeTelegram(token = '123456:TEST-token'): Promise<FakeTelegram> {
  const sent: TelegramChatMessage[] = [];
  const queue: Array<{ update_id: number }> = [];
  const delivered: number[] = [];
  let waiting: Array<() => void> = [];
  let nextId = 1;

  const server = await startFakeServer(async (request) => {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(request.path.split('?')[0]);
    if (!match) return { status: 404, json: { ok: false, error_code: 404, description: 'Not Found' } };
    if (decodeURIComponent(match[1]) !== token) return { status: 401, json: { ok: false, error_code: 401, description: 'Unauthorized' } };
    const body = request.json ?? {};
    switch (match[2]) {
      case 'sendMessage': {
        if (!body.chat_id || typeof body.text !== 'string' || body.text === '')
          return { status: 400, json: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } };
        if (body.text.length > 4096) return { status: 400, json: { ok: false, error_code: 400, description: 'Bad Request: message is too long' } };
        const message = { message_id: nextId++, chat_id: body.chat_id, text: body.text, edits: [] };
        sent.push(message);
        return {
          json: {
            ok: true,
            result: {
              message_id: message.message_id,
              from: { id: BOT_ID, is_bot: true, first_name: 'Titan' },
              chat: { id: body.chat_id, type: 'private' },
              date: Math.floor(Date.now() / 1000),
              text: body.text,
            },
          },
        };
      }
      case 'editMessageText': {
        const message = sent.find((m) => m.message_id === body.message_id && String(m.chat_id) === String(body.chat_id));
        if (!message) return { status: 400, json: { ok: false, error_code: 400, description: 'Bad Request: message to edit not found' } };
        if (body.text.length > 4096) return { status: 400, json: { ok: false, error_code: 400, description: 'Bad Request: MESSAGE_TOO_LONG' } };
        if (message.text === body.text)
          return {
            status: 400,
            json: {
              ok: false,
              error_code: 400,
              description:
                'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
            },
          };
        message.text = body.text;
        message.edits.push(body.text);
        return {
          json: {
            ok: true,
            result: {
              message_id: message.message_id,
              chat: { id: body.chat_id, type: 'private' },
              date: Math.floor(Date.now() / 1000),
              edit_date: Math.floor(Date.now() / 1000),
              text: body.text,
            },
          },
        };
      }
      case 'getUpdates': {
        // Updates below the offset are confirmed and forgotten, as the Bot API does.
        const offset = Number(body.offset ?? 0);
        while (queue.length && queue[0].update_id < offset) queue.shift();
        if (!queue.length && Number(body.timeout ?? 0) > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, Number(body.timeout) * 1000);
            waiting.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
        const result = queue.filter((u) => u.update_id >= offset).slice(0, Number(body.limit ?? 100));
        delivered.push(...result.map((u) => u.update_id));
        return { json: { ok: true, result } };
      }
      default:
        return { status: 404, json: { ok: false, error_code: 404, description: 'Not Found: method not found' } };
    }
  });

  return {
    ...server,
    token,
    sent,
    delivered,
    queueUpdate(update) {
      queue.push(update as { update_id: number });
      const wake = waiting;
      waiting = [];
      for (const resolve of wake) resolve();
    },
    update({ updateId, chatId = 4242, fromId = chatId, name = 'Ada', text, extra = {} }) {
      return {
        update_id: updateId,
        message: {
          message_id: updateId * 10,
          from: { id: fromId, is_bot: false, first_name: name, language_code: 'en' },
          chat: { id: chatId, first_name: name, type: 'private' },
          date: Math.floor(Date.now() / 1000),
          ...(text !== undefined ? { text } : {}),
          ...extra,
        },
      };
    },
    async webhook(url, body, secret) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (secret !== undefined) headers['x-telegram-bot-api-secret-token'] = secret;
      const { status, headers: answered, body: parsed } = await postWebhook(url, 'POST', headers, typeof body === 'string' ? body : JSON.stringify(body));
      return { status, headers: answered, body: parsed };
    },
    async close() {
      for (const resolve of waiting) resolve();
      waiting = [];
      await server.close();
    },
  };
}
