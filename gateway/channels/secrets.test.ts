// Where channel secrets come from: the environment, or $TITAN_HOME/channel-secrets.json when only
// its owner can read it; which channels run follows from the config and the secrets that are set.
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { isTitanError } from '../../common/errors.ts';
import { channelsSection } from './config.ts';
import { wanted } from './runtime.ts';
import { builtinChannelSpec as spec } from '../../test/channels/support.ts';
import { ChannelSecrets, SECRETS_FILE, loadSecretSource } from './secrets.ts';
import { tempHome } from '../../test/support/kernel.ts';

test('secrets come from the 0600 file and the environment (which wins); a file others can read is refused', async (t) => {
  const { home, cleanup } = await tempHome();
  t.after(cleanup);
  const file = path.join(home, SECRETS_FILE);
  await writeFile(file, JSON.stringify({ TITAN_SLACK_BOT_TOKEN: 'from-file', TITAN_SLACK_SIGNING_SECRET: 'file-secret' }), { mode: 0o600 });
  const source = await loadSecretSource(home, { TITAN_SLACK_BOT_TOKEN: 'from-env', PATH: '/bin' });
  const slack = new ChannelSecrets(spec('slack'), source);
  assert.equal(slack.outbound('bot-token'), 'from-env');
  assert.equal(slack.outbound('signing-secret'), undefined, 'a verification secret is never placed in a request');
  assert.equal(slack.verification('signing-secret'), 'file-secret');
  assert.equal(source.PATH, undefined, 'only TITAN_ variables are read');

  await chmod(file, 0o644);
  await assert.rejects(loadSecretSource(home, {}), (e) => isTitanError(e, 'TITAN_E_CHANNEL_CONFIG') && /chmod 600/.test(e.fix ?? ''));
});

test('a channel runs when listed in the config or when all its secrets are set', () => {
  const source = { TITAN_TELEGRAM_BOT_TOKEN: 't', TITAN_SLACK_BOT_TOKEN: 'only half of slack' };
  const running = (config: typeof channelsSection.defaults) =>
    ['telegram', 'slack', 'discord', 'whatsapp'].filter((name) => wanted(spec(name), config, source));
  assert.deepEqual(running(channelsSection.defaults), ['telegram']);
  assert.deepEqual(running({ ...channelsSection.defaults, enabled: ['discord'] }), ['telegram', 'discord']);
  assert.deepEqual(ChannelSecrets.missing(spec('slack'), source), ['TITAN_SLACK_SIGNING_SECRET']);
  // A channel that requires no secret never starts on its own: only when the config lists it.
  const open = { ...spec('discord'), name: 'open', secrets: {} };
  assert.equal(wanted(open, channelsSection.defaults, {}), false);
  assert.equal(wanted(open, { ...channelsSection.defaults, enabled: ['open'] }, {}), true);
});
