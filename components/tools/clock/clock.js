// clock: the current time, read through the host's clock import (the guest has no clock of its own).
import { nowMs } from 'titan:host/clock@0.1.0';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    offsetMinutes: { type: 'integer', minimum: -840, maximum: 840, description: 'Shift from UTC for the local time, in minutes.' },
  },
};

function pad(n, width = 2) {
  return String(Math.abs(n)).padStart(width, '0');
}

/** @type {typeof import('titan:tool/tool@0.1.0')} */
export const tool = {
  describe() {
    return {
      name: 'clock',
      description: 'Tells the current date and time (UTC, or shifted by an offset).',
      inputSchema: JSON.stringify(schema),
      needsApproval: false,
    };
  },
  invoke(input) {
    let args;
    try {
      args = input ? JSON.parse(input) : {};
    } catch (e) {
      throw { tag: 'invalid-input', val: 'input is not JSON: ' + e.message };
    }
    const offset = args.offsetMinutes ?? 0;
    if (!Number.isInteger(offset) || offset < -840 || offset > 840) {
      throw { tag: 'invalid-input', val: 'offsetMinutes must be an integer between -840 and 840' };
    }
    const epochMs = Number(nowMs());
    const local = new Date(epochMs + offset * 60000).toISOString().slice(0, 19);
    const sign = offset < 0 ? '-' : '+';
    const zone = `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
    return JSON.stringify({ epochMs, utc: new Date(epochMs).toISOString(), local: local + zone });
  },
};
