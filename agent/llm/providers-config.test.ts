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

test('any other name is a provider component configured by its own variables; a typo with none is still refused', () => {
  const env = { TITAN_PROVIDER: 'azure-openai', AZURE_OPENAI_BASE_URL: 'https://res.openai.azure.com/', AZURE_OPENAI_API_KEY: 'k', TITAN_MODEL: 'dep' };
  assert.deepEqual(providersFromEnv(env).providers[0], {
    name: 'azure-openai',
    component: 'azure-openai',
    baseUrl: 'https://res.openai.azure.com',
    model: 'dep',
    apiKeyEnv: 'AZURE_OPENAI_API_KEY',
  });
  assert.throws(() => providersFromEnv({ TITAN_PROVIDER: 'opneai' }), /nor a provider component configured by OPNEAI_BASE_URL/);
});
