// Messaging channels: which senders the owner approved (pairing), which platform events were
// already handled (replay protection), and where a polling channel left off.
import { nowMs } from 'titan:host/clock@0.1.0';
import { batch, fail, one, rows } from './db.js';
/** @import { StoreHandlers } from '../ops.js' */

const DECISIONS = ['approved', 'denied'];
/** Platform events are remembered this long: longer than any platform retries a delivery. */
const EVENT_MEMORY_MS = 7 * 24 * 3600 * 1000;

function need(input, ...fields) {
  for (const field of fields) {
    if (input[field] === undefined || input[field] === null || input[field] === '') throw fail('invalid', `"${field}" is required`);
  }
}

/**
 * Handlers of the op table (../ops.ts): a name not in it, or a wrong input or result, is a type error.
 * @satisfies {Partial<StoreHandlers>}
 */
export const channels = {
  /** Records a platform event id; `claimed` is false when it was seen before (a replay). */
  'channels.event.claim'(input) {
    need(input, 'channel', 'eventId');
    const at = nowMs();
    const [, inserted] = batch([
      ['DELETE FROM channel_events WHERE received_at < ?', [at - EVENT_MEMORY_MS]],
      [
        'INSERT INTO channel_events (channel, event_id, received_at) VALUES (?, ?, ?) ON CONFLICT (channel, event_id) DO NOTHING',
        [input.channel, String(input.eventId), at],
      ],
    ]);
    return { claimed: inserted === 1 };
  },

  'channels.pairing.get'(input) {
    need(input, 'channel', 'senderId');
    return one('SELECT * FROM channel_pairings WHERE channel = ? AND sender_id = ?', [input.channel, input.senderId]);
  },

  /** The sender's pairing, opened (pending, with the given code) when there is none yet. */
  'channels.pairing.open'(input) {
    need(input, 'channel', 'senderId', 'chatId', 'code');
    batch([
      [
        `INSERT INTO channel_pairings (channel, sender_id, chat_id, sender_name, code, state, created_at)
        VALUES (?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (channel, sender_id) DO NOTHING`,
        [input.channel, input.senderId, String(input.chatId), input.senderName ?? null, input.code, nowMs()],
      ],
    ]);
    return one('SELECT * FROM channel_pairings WHERE channel = ? AND sender_id = ?', [input.channel, input.senderId]);
  },

  'channels.pairing.list'(input) {
    if (input.state !== undefined && !['pending', ...DECISIONS].includes(input.state)) throw fail('invalid', `unknown state "${input.state}"`);
    return input.state
      ? rows('SELECT * FROM channel_pairings WHERE state = ? ORDER BY created_at, channel, sender_id', [input.state])
      : rows('SELECT * FROM channel_pairings ORDER BY created_at, channel, sender_id');
  },

  /** Approves or denies a pending pairing by its code. */
  'channels.pairing.decide'(input) {
    need(input, 'code', 'decision');
    if (!DECISIONS.includes(input.decision)) throw fail('invalid', `decision must be one of ${DECISIONS.join(', ')}`);
    const code = String(input.code).toUpperCase();
    const pending = one("SELECT * FROM channel_pairings WHERE code = ? AND state = 'pending'", [code]);
    if (!pending) throw fail('not-found', `no pending pairing has the code ${code}`);
    batch([["UPDATE channel_pairings SET state = ?, decided_at = ? WHERE code = ? AND state = 'pending'", [input.decision, nowMs(), code]]]);
    return one('SELECT * FROM channel_pairings WHERE code = ?', [code]);
  },

  'channels.cursor.get'(input) {
    need(input, 'channel');
    const row = one('SELECT value FROM channel_cursors WHERE channel = ?', [input.channel]);
    return { value: row ? row.value : null };
  },

  'channels.cursor.set'(input) {
    need(input, 'channel', 'value');
    batch([
      [
        `INSERT INTO channel_cursors (channel, value, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (channel) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        [input.channel, String(input.value), nowMs()],
      ],
    ]);
    return { ok: true };
  },
};
