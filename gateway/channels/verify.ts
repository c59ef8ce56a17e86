// What the host computes for a component to verify an inbound request without holding the secret
// (titan:channel's `secret-headers`): the signature the platform should have sent, or whether a
// token or Ed25519 signature matched. The component compares, checks timestamps, and decides.
import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';
import type { ChannelName } from './platforms.ts';
import type { ChannelSecrets } from './secrets.ts';

export type RawRequest = { method: string; path: string; headers: Array<[string, string]>; body: Buffer };

const headerOf = (request: RawRequest, name: string) => request.headers.find(([k]) => k.toLowerCase() === name)?.[1];

function sameSecret(given: string | undefined, expected: string | undefined): boolean {
  if (given === undefined || expected === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const hmacHex = (secret: string, data: Buffer | string) => createHmac('sha256', secret).update(data).digest('hex');

/** Ed25519 public key from the 32-byte hex Discord shows, as a KeyObject (SPKI prefix + key). */
function ed25519Key(hex: string) {
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(hex, 'hex')]);
  return createPublicKey({ key: spki, format: 'der', type: 'spki' });
}

export function verificationHeaders(name: ChannelName, request: RawRequest, secrets: ChannelSecrets): Array<[string, string]> {
  switch (name) {
    case 'telegram': {
      const expected = secrets.verification('webhook-secret');
      return [['x-titan-secret-token-valid', String(sameSecret(headerOf(request, 'x-telegram-bot-api-secret-token'), expected))]];
    }
    case 'slack': {
      const key = secrets.verification('signing-secret');
      const timestamp = headerOf(request, 'x-slack-request-timestamp') ?? '';
      if (!key) return [];
      return [['x-titan-expected-signature', `v0=${hmacHex(key, Buffer.concat([Buffer.from(`v0:${timestamp}:`), request.body]))}`]];
    }
    case 'whatsapp': {
      const out: Array<[string, string]> = [];
      const appSecret = secrets.verification('app-secret');
      if (appSecret) out.push(['x-titan-expected-signature', `sha256=${hmacHex(appSecret, request.body)}`]);
      const query = new URL(request.path, 'http://x').searchParams;
      if (query.has('hub.verify_token'))
        out.push(['x-titan-verify-token-valid', String(sameSecret(query.get('hub.verify_token') ?? undefined, secrets.verification('verify-token')))]);
      return out;
    }
    case 'discord': {
      const publicKey = secrets.verification('public-key');
      const signature = headerOf(request, 'x-signature-ed25519') ?? '';
      const timestamp = headerOf(request, 'x-signature-timestamp') ?? '';
      let valid = false;
      if (publicKey && /^[0-9a-f]{128}$/i.test(signature)) {
        try {
          valid = verify(null, Buffer.concat([Buffer.from(timestamp), request.body]), ed25519Key(publicKey), Buffer.from(signature, 'hex'));
        } catch {
          valid = false; // a malformed key or signature verifies nothing
        }
      }
      return [['x-titan-signature-valid', String(valid)]];
    }
  }
}
