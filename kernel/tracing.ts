// Spans of Titan's work (OpenTelemetry API only): a turn's gateway request, the agent's turn, the
// provider stream, tool and store calls. With no tracer provider registered (the default: tracing
// off) every span is a no-op costing well under a microsecond; `titan start` registers an exporter
// when telemetry is configured (bin/telemetry.ts).
import { type Attributes, type Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';

export { SpanKind };
export type { Span };

export const tracer = trace.getTracer('titan');

let enabled = false;

/** Turned on by whoever registers a tracer provider; until then the hot paths skip span bookkeeping. */
export function setTracing(on: boolean): void {
  enabled = on;
}

export function tracingOn(): boolean {
  return enabled;
}

/** Runs `work` inside a span (its children nest under it) and ends the span when `work` settles. */
export function traced<T>(name: string, attributes: Attributes, work: (span?: Span) => Promise<T>, kind = SpanKind.INTERNAL): Promise<T> {
  if (!enabled) return work();
  return tracer.startActiveSpan(name, { attributes, kind }, async (span) => {
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
  span.setStatus({ code: SpanStatusCode.ERROR, message: typeof code === 'string' ? code : String((error as Error).message ?? error) });
  if (error instanceof Error) span.recordException(error);
}

/** Starts a span whose end the caller owns (work that outlives one call: a turn), and runs `start`
 * with it as the active span, so everything `start` sets off nests under it. */
export function spanAround<T>(name: string, attributes: Attributes, start: (span?: Span) => T): T {
  if (!enabled) return start();
  const span = tracer.startSpan(name, { attributes });
  return context.with(trace.setSpan(context.active(), span), () => start(span));
}

/** A span the caller ends, and a way to run code with it as the active span (for work that is not
 * one call: a stream read event by event). Undefined while tracing is off. */
export function openSpan(name: string, attributes: Attributes, kind = SpanKind.INTERNAL): { span: Span; within<T>(work: () => T): T } | undefined {
  if (!enabled) return undefined;
  const span = tracer.startSpan(name, { attributes, kind });
  const active = trace.setSpan(context.active(), span);
  return { span, within: (work) => context.with(active, work) };
}
