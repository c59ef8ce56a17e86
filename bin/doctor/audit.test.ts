// The audit's judgements on manifests and config values: what counts as a broad grant, and where a
// secret sits in plain text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { broadGrants, secretsIn } from './audit.ts';

test('broad grants: any host, any command, the whole filesystem, raw SQL outside a store; narrow ones are not', () => {
  assert.deepEqual(broadGrants({ kind: 'tool', capabilities: { http: { allow: [{ host: '*' }] } } }), ['http to any host']);
  assert.deepEqual(broadGrants({ kind: 'tool', capabilities: { exec: { shell: '/bin/sh' } } }), ['exec of any command']);
  assert.deepEqual(broadGrants({ kind: 'tool', capabilities: { files: { workspace: '/', readOnly: true } } }), ['files on the whole filesystem (read)']);
  assert.deepEqual(broadGrants({ kind: 'tool', capabilities: { sql: {} } }), ['raw SQL on the whole database']);
  assert.deepEqual(
    broadGrants({
      kind: 'tool',
      capabilities: { http: { allow: [{ host: 'api.example.com' }] }, exec: { allowedCommands: ['git'] }, files: { workspace: '/srv/notes' }, log: {} },
    }),
    [],
  );
  assert.deepEqual(broadGrants({ kind: 'store', capabilities: { sql: {} } }), []);
});

test('secrets in config: by the key that holds them, by their shape, or a password in a database URL', () => {
  assert.deepEqual(
    secretsIn({
      mcp: { servers: { docs: { url: 'https://mcp.example.com', headers: { apiKey: 'abcdef123456' }, bearerSecret: 'DOCS_TOKEN' } } },
      agent: { note: 'sk-proj-abcdefghijklmnopqrstuvwx' },
      kernel: { dbUrl: 'postgres://titan:hunter22@db/titan' },
    }),
    ['mcp.servers.docs.headers.apiKey', 'agent.note', 'kernel.dbUrl'],
  );
  assert.deepEqual(secretsIn({ kernel: { dbUrl: 'postgres://titan@db/titan' }, mcp: { servers: { x: { bearerEnv: 'X_TOKEN' } } } }), []);
});
