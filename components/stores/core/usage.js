// Model usage by day for the Usage page: from the turns' completion events (tokens, model requests,
// and where the answer came from), counted per calendar day in the caller's time zone. Read
// through a partial index that holds only completion events (migration 14), so the page costs
// one range scan whatever else the event log holds.
import { nowMs } from 'titan:host/clock@0.1.0';
import { fail, rows } from './db.js';
/** @import { StoreHandlers, UsageDay } from '../ops.js' */

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;

/** The calendar day of `at` in a zone `offsetMinutes` east of UTC, as YYYY-MM-DD. */
function dayOf(at, offsetMinutes) {
  return new Date(at + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** @returns {UsageDay} */
function emptyDay(day) {
  return { day, turns: 0, model: 0, reflex: 0, shadow: 0, onboarding: 0, modelRequests: 0, inputTokens: 0, outputTokens: 0 };
}

/** @satisfies {Partial<StoreHandlers>} */
export const usage = {
  'usage.daily'(input) {
    const days = input?.days ?? 30;
    const offset = input?.offsetMinutes ?? 0;
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw fail('invalid', `"days" must be a whole number from 1 to ${MAX_DAYS}`);
    if (!Number.isInteger(offset) || Math.abs(offset) > 14 * 60)
      throw fail('invalid', '"offsetMinutes" must be a whole number of minutes within 14 hours of UTC');
    const now = input?.now ?? nowMs();
    // Every day of the range is listed, those without turns at zero, so a chart has no gaps.
    const byDay = new Map();
    for (let i = days - 1; i >= 0; i--) {
      const day = dayOf(now - i * DAY_MS, offset);
      byDay.set(day, emptyDay(day));
    }
    const first = Date.parse(`${[...byDay.keys()][0]}T00:00:00Z`) - offset * 60_000;
    const events = rows("SELECT data, created_at FROM turn_events WHERE type = 'turn.completed' AND created_at >= ? ORDER BY created_at", [first]);
    for (const event of events) {
      const day = byDay.get(dayOf(Number(event.created_at), offset));
      if (!day) continue;
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        continue;
      }
      day.turns++;
      const from = ['model', 'reflex', 'shadow', 'onboarding'].includes(data.from) ? data.from : 'model';
      day[from]++;
      // Turns stored before requests were counted made at least one when the model answered.
      day.modelRequests += typeof data.modelRequests === 'number' ? data.modelRequests : from === 'model' ? 1 : 0;
      day.inputTokens += Number(data.usage?.input_tokens ?? 0);
      day.outputTokens += Number(data.usage?.output_tokens ?? 0);
    }
    return [...byDay.values()];
  },
};
