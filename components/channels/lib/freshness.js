// Signed webhooks carry their time (Slack, Discord): one older or newer than five minutes is
// refused, so a captured request cannot be replayed later with its valid signature.
import { nowMs } from 'titan:host/clock@0.2.0';
import { unauthenticated } from './http.js';

export const MAX_SKEW_SECONDS = 5 * 60;

/** Checks a Unix time in seconds (as text) against the host's clock. */
export function checkFresh(timestamp, header) {
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) throw unauthenticated(`the ${header} header is missing or not a Unix time`);
  const skew = Math.abs(Number(nowMs()) / 1000 - Number(timestamp));
  if (skew > MAX_SKEW_SECONDS)
    throw unauthenticated(`the request was signed ${Math.round(skew)} s away from now (more than ${MAX_SKEW_SECONDS} s): a replay or a wrong clock`);
}
