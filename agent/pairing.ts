// DM pairing: a sender the owner has not approved gets a short code and nothing reaches the
// agent; `titan pairing approve CODE` lets them in. The store keeps pairings; these are the
// operations the gateway's pairing routes use (and through them the CLI).
import { randomInt } from 'node:crypto';
import { TitanError, isTitanError } from '../common/errors.ts';
import type { Pairing, StoreClient } from '../kernel/store-client.ts';

export type { Pairing } from '../kernel/store-client.ts';

// No 0/O or 1/I/L: the code is read off a phone and typed into a terminal.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 6;

export function newPairingCode(): string {
  return Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

export function pairingCodeValid(code: string): boolean {
  return new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`).test(code.toUpperCase());
}

export function getPairing(store: StoreClient, channel: string, senderId: string): Promise<Pairing | null> {
  return store.op('channels.pairing.get', { channel, senderId });
}

/** The sender's pairing; a new pending one with a fresh code when there is none. */
export async function openPairing(store: StoreClient, input: { channel: string; senderId: string; chatId: string; senderName?: string }): Promise<Pairing> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.op('channels.pairing.open', { ...input, code: newPairingCode() });
    } catch (error) {
      // Two senders drew the same code: draw again.
      if (!isTitanError(error, 'TITAN_E_SQL_CONSTRAINT') || attempt >= 3) throw error;
    }
  }
}

export function listPairings(store: StoreClient, state?: Pairing['state']): Promise<Pairing[]> {
  return store.op('channels.pairing.list', state ? { state } : {});
}

export function decidePairing(store: StoreClient, code: string, decision: 'approved' | 'denied'): Promise<Pairing> {
  if (!pairingCodeValid(code)) {
    throw new TitanError('TITAN_E_USAGE', `"${code}" is not a pairing code (${CODE_LENGTH} letters and digits, as the sender was shown)`, {
      fix: 'run `titan pairing list` for the pending codes',
    });
  }
  return store.op('channels.pairing.decide', { code: code.toUpperCase(), decision });
}
