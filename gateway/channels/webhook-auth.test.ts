// The webhook routes are the gateway's public routes besides health and ready: each one is
// authenticated by its platform's signature, so an unsigned request is refused with a code even
// when it carries the gateway's own bearer token, and reaches no agent.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { webhookRoutes } from './runtime.ts';
import { openChannelKernel, startChannels, turnsStarted, type ChannelGateway, type ChannelKernel } from '../../test/channels/support.ts';

let harness: ChannelKernel;
let channels: ChannelGateway;

before(async () => {
  harness = await openChannelKernel();
  channels = await startChannels(harness, {
    channels: ['telegram', 'slack', 'discord', 'whatsapp'],
    secrets: {
      TITAN_TELEGRAM_BOT_TOKEN: '1:x',
      TITAN_TELEGRAM_WEBHOOK_SECRET: 's',
      TITAN_SLACK_BOT_TOKEN: 'xoxb-x',
      TITAN_SLACK_SIGNING_SECRET: 's',
      TITAN_DISCORD_PUBLIC_KEY: 'ab'.repeat(32),
      TITAN_WHATSAPP_ACCESS_TOKEN: 'x',
      TITAN_WHATSAPP_APP_SECRET: 's',
      TITAN_WHATSAPP_VERIFY_TOKEN: 'v',
    },
    // Nothing may be sent anywhere: an unroutable API address makes any attempt fail loudly.
    config: {
      telegramApiUrl: 'http://127.0.0.1:9',
      slackApiUrl: 'http://127.0.0.1:9',
      discordApiUrl: 'http://127.0.0.1:9',
      whatsappApiUrl: 'http://127.0.0.1:9',
    },
  });
});
after(async () => {
  await channels.close();
  await harness.close();
});

test('every webhook route refuses an unsigned request with 401 and a code, with or without the gateway token', async () => {
  const routes = webhookRoutes(channels.runtime.names);
  assert.equal(routes.length, 8, 'GET and POST for each of the four channels');
  const token = (await readFile(path.join(harness.home, 'gateway-token'), 'utf8')).trim();
  for (const [method, route] of routes) {
    // A GET is the WhatsApp-style handshake; the others only accept POST, refused before reading it.
    const url = `${channels.gateway.url}${route}${method === 'GET' ? '?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1' : ''}`;
    for (const authorization of [undefined, `Bearer ${token}`]) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization) headers.authorization = authorization;
      const body =
        method === 'POST' ? JSON.stringify({ update_id: 1, type: 'event_callback', id: '1', object: 'whatsapp_business_account', entry: [] }) : undefined;
      const response = await fetch(url, { method, headers, body });
      const answer = (await response.json()) as { error: { code: string } };
      const expected = method === 'GET' && !route.includes('whatsapp') ? ['TITAN_E_CHANNEL_PAYLOAD', 400] : ['TITAN_E_CHANNEL_SIGNATURE', 401];
      assert.deepEqual([answer.error.code, response.status], expected, `${method} ${route} ${authorization ? 'with' : 'without'} the gateway token`);
    }
  }
  await channels.runtime.idle();
  assert.equal(turnsStarted(harness.events), 0);
});
