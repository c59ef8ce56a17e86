import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeakGuard, type LeakHit } from './leak-guard.ts';

const samples: Record<string, string> = {
  'openai-key': 'sk-proj-Abc123Def456Ghi789Jkl012Mno345',
  'anthropic-key': 'sk-ant-api03-Zyx987Wvu654Tsr321Qpo098Nml765',
  'aws-access-key': 'AKIAIOSFODNN7EXAMPLE',
  'aws-secret-key': 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'github-token': 'ghp_0123456789abcdefghijABCDEFGHIJ012345',
  'slack-token': 'xoxb-123456789012-abcdefghijkl',
  'slack-webhook': 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  'private-key': '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----',
};

test('stored values and every common key format are cut out, each hit reported with its source', () => {
  const hits: LeakHit[] = [];
  const guard = new LeakGuard(
    () => ['my-own-secret-value', 'short'],
    (h) => hits.push(h),
  );
  for (const [kind, sample] of Object.entries(samples)) {
    const out = guard.redact(`before ${sample} after`, `tool:${kind}`);
    assert.equal(out, `before [REDACTED:${kind}] after`, kind);
  }
  assert.equal(guard.redact('x my-own-secret-value y my-own-secret-value', 'model'), 'x [REDACTED:stored-secret] y [REDACTED:stored-secret]');
  // Short stored values are not searched (they would redact ordinary words); plain text is untouched.
  assert.equal(guard.redact('a short answer about sk-8 and skis', 'model'), 'a short answer about sk-8 and skis');
  assert.deepEqual(hits.at(-1), { source: 'model', kinds: ['stored-secret'], count: 2 });
  assert.equal(hits.length, Object.keys(samples).length + 1);
  assert.deepEqual(guard.redactValue({ out: ['x', 'AKIAIOSFODNN7EXAMPLE'] }, 'tool:t'), { out: ['x', '[REDACTED:aws-access-key]'] });
});

test('a streamed answer never lets out a key split between pieces', () => {
  const guard = new LeakGuard(() => ['stored-secret-123']);
  const pieces = [
    'Your key is sk-pro',
    'j-Abc123Def456Ghi',
    '789Jkl012Mno345 and the stor',
    'ed-secret-1',
    '23 too.\n-----BEGIN PRIVATE KEY-----\nMIIB',
    'xyz\n-----END PRIVATE KEY----- done',
  ];
  const stream = guard.stream('model');
  const out = pieces.map((p) => stream.push(p)).join('') + stream.end();
  assert.equal(out, 'Your key is [REDACTED:openai-key] and the [REDACTED:stored-secret] too.\n[REDACTED:private-key] done');
  // Ordinary text flows at once: only a run that may begin a key waits.
  const plain = guard.stream('model');
  assert.equal(plain.push('Hello there, wor'), 'Hello there, wor');
  assert.equal(plain.push('ld! Your sk-'), 'ld! Your ');
  assert.equal(plain.push('ill is great'), 'sk-ill is great');
  assert.equal(plain.push(', stored-sec'), ', ');
  assert.equal(plain.push('ond'), 'stored-second');
  assert.equal(plain.end(), '');
  // One-letter pieces stay pieces; a key begun in one is still cut when it completes.
  const letters = guard.stream('model');
  assert.deepEqual(
    ['a', 'b', 's', 'k'].map((p) => letters.push(p)),
    ['a', 'b', 's', 'k'],
  );
  assert.equal(letters.push('-proj-Abc123Def456Ghi789Jkl012 ok'), '[REDACTED:openai-key] ok');
});
