import assert from 'node:assert/strict';
import { test } from 'node:test';
import { providersFromEnv, withStoredKeys } from './providers-config.ts';

test('a provider key in the secret store is used when the environment sets none; the environment wins', () => {
  const stored = new Map([
    ['OPENAI_API_KEY', 'sk-from-store'],
    ['ANTHROPIC_API_KEY', 'sk-ant-from-store'],
  ]);
  const env = withStoredKeys({ TITAN_PROVIDER: 'openai', ANTHROPIC_API_KEY: 'sk-ant-from-env' }, (name) => stored.get(name));
  assert.equal(providersFromEnv(env).providers[0].apiKeyEnv, 'OPENAI_API_KEY');
  assert.equal(env.OPENAI_API_KEY, 'sk-from-store');
  assert.equal(env.ANTHROPIC_API_KEY, 'sk-ant-from-env');
  // Read at each use: a key stored while Titan runs is seen by the next request.
  stored.set('OPENAI_API_KEY', 'sk-rotated');
  assert.equal(env.OPENAI_API_KEY, 'sk-rotated');
  // Nothing stored and nothing in the environment: the same clear error as before.
  assert.throws(() => providersFromEnv(withStoredKeys({ TITAN_PROVIDER: 'openai' }, () => undefined)), /needs OPENAI_API_KEY/);
});
