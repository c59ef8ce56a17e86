// OpenTelemetry traces of Titan's work, exported over OTLP/HTTP when an endpoint is configured
// ({"telemetry": {"otlpEndpoint": "http://127.0.0.1:4318"}} or OTEL_EXPORTER_OTLP_ENDPOINT); off by
// default. The SDK loads only then (an optional install: TITAN_E_TELEMETRY_MISSING without it); the spans themselves are declared where the work happens
// (kernel/tracing.ts, gateway/tracing.ts, the agent's turn and provider stream).
import { readFileSync } from 'node:fs';
import { defineSection } from '../common/config-section.ts';
import { TitanError } from '../common/errors.ts';
import { isMissingPackage } from '../common/optional-package.ts';

export type TelemetryConfig = {
  /** The OTLP/HTTP collector ("http://host:4318", traces go to /v1/traces), or the full traces URL; empty: off. */
  otlpEndpoint: string;
  /** service.name of the exported spans. */
  serviceName: string;
};

export const telemetrySection = defineSection<'telemetry', TelemetryConfig>({
  name: 'telemetry',
  defaults: { otlpEndpoint: '', serviceName: 'titan' },
  schema: { otlpEndpoint: { type: 'string' }, serviceName: { type: 'string', minLength: 1 } },
  env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'otlpEndpoint', TITAN_OTLP_ENDPOINT: 'otlpEndpoint', OTEL_SERVICE_NAME: 'serviceName' },
});

export type Tracing = { url: string; close(): Promise<void> };

/** The traces URL an endpoint names: a base gets the standard /v1/traces path. */
export function tracesUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TitanError('TITAN_E_CONFIG_INVALID', `telemetry.otlpEndpoint "${endpoint}" is not a URL`, {
      fix: 'set it to the collector\'s OTLP/HTTP address, e.g. "http://127.0.0.1:4318", or leave it empty',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TitanError('TITAN_E_CONFIG_INVALID', `telemetry.otlpEndpoint "${endpoint}" is not http(s)`, { fix: 'OTLP/HTTP runs over http or https' });
  if (!url.pathname.endsWith('/v1/traces')) url.pathname = `${url.pathname.replace(/\/$/, '')}/v1/traces`;
  return url.href;
}

/** Registers the tracer provider and its exporter; undefined when telemetry is off. `close` flushes. */
export async function startTracing(config: TelemetryConfig): Promise<Tracing | undefined> {
  if (!config.otlpEndpoint) return undefined;
  const url = tracesUrl(config.otlpEndpoint);
  // The kernel too, only when tracing is on: the config's section (above) is read by every command.
  const [{ setTracing }, { NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('../kernel/api.ts'),
    sdk('@opentelemetry/sdk-trace-node', () => import('@opentelemetry/sdk-trace-node')),
    sdk('@opentelemetry/exporter-trace-otlp-http', () => import('@opentelemetry/exporter-trace-otlp-http')),
    sdk('@opentelemetry/resources', () => import('@opentelemetry/resources')),
  ]);
  const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': version }),
    // Batched: a span costs the request path a queue push, never a network round trip.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1000 })],
  });
  provider.register();
  await setTracing(true);
  return {
    url,
    async close() {
      await setTracing(false);
      await provider.shutdown();
    },
  };
}

/** One SDK package: an optional install (a production install leaves it out), named when missing. */
async function sdk<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissingPackage(error, name)) throw error;
    throw new TitanError('TITAN_E_TELEMETRY_MISSING', `telemetry.otlpEndpoint is set, but the OpenTelemetry SDK (${name}) is not installed`, { cause: error });
  }
}
