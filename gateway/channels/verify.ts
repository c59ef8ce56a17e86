// What the host computes for a component to verify an inbound request without holding the secret
// (titan:channel's `secret-headers`), by the rules the channel's manifest declares: whether a
// token matched, the HMAC the platform should have sent, whether an Ed25519 signature holds. The
// component compares, checks timestamps, and decides.
import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';
import type { VerifyRule } from '../../registry/slot-sections.ts';
import type { ChannelSecrets } from './secrets.ts';

export type RawRequest = { method: string; path: string; headers: Array<[string, string]>; body: Buffer };

const headerOf = (request: RawRequest, name: string) => request.headers.find(([k]) => k.toLowerCase() === name)?.[1];

function sameSecret(given: string | undefined, expected: string | undefined): boolean {
  if (given === undefined || expected === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A rule's message: "{body}" is the raw body, "{header:NAME}" a header's value ("" when absent). */
function message(template: string, request: RawRequest): Buffer {
  const parts = template.split(/(\{body\}|\{header:[a-z0-9-]+\})/);
  return Buffer.concat(
    parts.map((part) => {
      if (part === '{body}') return request.body;
      const header = /^\{header:([a-z0-9-]+)\}$/.exec(part);
      return Buffer.from(header ? (headerOf(request, header[1]) ?? '') : part);
    }),
  );
}

/** Ed25519 public key from the 32-byte hex a platform shows, as a KeyObject (SPKI prefix + key). */
function ed25519Key(hex: string) {
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(hex, 'hex')]);
  return createPublicKey({ key: spki, format: 'der', type: 'spki' });
}

function computed(rule: VerifyRule, request: RawRequest, secrets: ChannelSecrets): string | undefined {
  const secret = secrets.verification(rule.secret);
  switch (rule.scheme) {
    case 'token-header':
      return String(sameSecret(headerOf(request, rule.header), secret));
    case 'token-query': {
      const query = new URL(request.path, 'http://x').searchParams;
      return query.has(rule.param) ? String(sameSecret(query.get(rule.param) ?? undefined, secret)) : undefined;
    }
    case 'hmac-sha256':
      // Without its secret nothing is computed: the component then refuses every request.
      return secret === undefined ? undefined : `${rule.prefix ?? ''}${createHmac('sha256', secret).update(message(rule.message, request)).digest('hex')}`;
    case 'ed25519': {
      const signature = headerOf(request, rule.signatureHeader) ?? '';
      if (!secret || !/^[0-9a-f]{128}$/i.test(signature)) return 'false';
      try {
        return String(verify(null, message(rule.message, request), ed25519Key(secret), Buffer.from(signature, 'hex')));
      } catch {
        return 'false'; // a malformed key or signature verifies nothing
      }
    }
  }
}

export function verificationHeaders(rules: VerifyRule[], request: RawRequest, secrets: ChannelSecrets): Array<[string, string]> {
  return rules.flatMap((rule): Array<[string, string]> => {
    const value = computed(rule, request, secrets);
    return value === undefined ? [] : [[rule.as, value]];
  });
}
