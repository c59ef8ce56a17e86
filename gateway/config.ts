// The gateway's section of the configuration ({ "gateway": { ... } }): where it listens, which
// browser origins it admits, and its request limits.
import { defineSection, sameNames } from '../common/config-section.ts';

export type GatewayConfig = {
  /** The gateway's address: loopback by default; port 0 picks a free port. */
  port: number;
  host: string;
  /** Origins allowed to call the REST API from a browser (CORS); empty: CORS off. */
  corsOrigins: string[];
  /** Non-loopback origins allowed to open the WebSocket (loopback origins always are). */
  allowedOrigins: string[];
  /** Requests per minute per token (a token bucket: bursts up to this many). */
  rateLimitPerMinute: number;
  /** Largest request body the gateway reads. */
  maxBodyBytes: number;
};

export const gatewaySection = defineSection<'gateway', GatewayConfig>({
  name: 'gateway',
  defaults: {
    port: 7400,
    host: '127.0.0.1',
    corsOrigins: [],
    allowedOrigins: [],
    rateLimitPerMinute: 600,
    maxBodyBytes: 1024 * 1024,
  },
  schema: {
    port: { type: 'integer' },
    host: { type: 'string', minLength: 1 },
    corsOrigins: { type: 'array', items: { type: 'string' } },
    allowedOrigins: { type: 'array', items: { type: 'string' } },
    rateLimitPerMinute: { type: 'integer' },
    maxBodyBytes: { type: 'integer' },
  },
  clamps: {
    port: [0, 65535],
    rateLimitPerMinute: [1, 1_000_000],
    maxBodyBytes: [1024, 64 * 1024 * 1024],
  },
  env: { TITAN_PORT: 'port', TITAN_HOST: 'host', TITAN_RATE_LIMIT: 'rateLimitPerMinute' },
  flat: sameNames('port', 'host', 'corsOrigins', 'allowedOrigins', 'rateLimitPerMinute', 'maxBodyBytes'),
});
