// Spans of Titan's work (OpenTelemetry API only): a turn's gateway request, the agent's turn, the
// provider stream, tool and store calls. With tracing off (the default) no span is made and the
// API is not even loaded (44 modules a start does without); `titan start` turns it on, loading it,
// when telemetry is configured (bin/telemetry.ts) and registers an exporter.
import type * as OtelApi from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';

export type { Span };
type Otel = typeof OtelApi;

/** OpenTelemetry's span kinds (the same numbers as its enum), usable before the API is loaded. */
export const SpanKind = { INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 } as const;
type Kind = (typeof SpanKind)[keyof typeof SpanKind];
const STATUS_ERROR = 2; // SpanStatusCode.ERROR

let otel: { api: Otel; tracer: OtelApi.Tracer } | undefined;

/** Turned on (loading the API) by whoever registers a tracer provider; until then the hot paths skip span bookkeeping. */
export async function setTracing(on: boolean): Promise<void> {
  if (on && !otel) {
    const api = await import('@opentelemetry/api');
    otel = { api, tracer: api.trace.getTracer('titan') };
  }
  enabled = on;
}

let enabled = false;

export function tracingOn(): boolean {
  return enabled;
}

/** The loaded API while tracing is on (callers check tracingOn() first). */
export function otelApi(): Otel {
  if (!otel) throw new Error('tracing is off: the OpenTelemetry API is not loaded');
  return otel.api;
}

/** Runs `work` inside a span (its children nest under it) and ends the span when `work` settles. */
export function traced<T>(name: string, attributes: Attributes, work: (span?: Span) => Promise<T>, kind: Kind = SpanKind.INTERNAL): Promise<T> {
  if (!enabled || !otel) return work();
  return otel.tracer.startActiveSpan(name, { attributes, kind }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed with the error's code (a TitanError's) and message. */
export function failed(span: Span, error: unknown): void {
  const code = (error as { code?: unknown }).code;
  span.setStatus({ code: STATUS_ERROR, message: typeof code === 'string' ? code : String((error as Error).message ?? error) });
  if (error instanceof Error) span.recordException(error);
}

/** Starts a span whose end the caller owns (work that outlives one call: a turn), and runs `start`
 * with it as the active span, so everything `start` sets off nests under it. */
export function spanAround<T>(name: string, attributes: Attributes, start: (span?: Span) => T): T {
  if (!enabled || !otel) return start();
  const { api, tracer } = otel;
  const span = tracer.startSpan(name, { attributes });
  return api.context.with(api.trace.setSpan(api.context.active(), span), () => start(span));
}

/** A span the caller ends, and a way to run code with it as the active span (for work that is not
 * one call: a stream read event by event). Undefined while tracing is off. */
export function openSpan(name: string, attributes: Attributes, kind: Kind = SpanKind.INTERNAL): { span: Span; within<T>(work: () => T): T } | undefined {
  if (!enabled || !otel) return undefined;
  const { api, tracer } = otel;
  const span = tracer.startSpan(name, { attributes, kind });
  const active = api.trace.setSpan(api.context.active(), span);
  return { span, within: (work) => api.context.with(active, work) };
}
