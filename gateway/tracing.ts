// The gateway's span of each request (OpenTelemetry, SERVER): the root of a turn's trace, or a child
// of the caller's when it sends a W3C `traceparent`. Named by the matched route, never by the path
// (ids in paths would make every span name unique). A no-op while tracing is off.
import type Koa from 'koa';
import { failed, otelApi, SpanKind, tracingOn } from '../kernel/api.ts';
import type { GatewayState } from './deps.ts';

export function traceRequests(): Koa.Middleware<GatewayState> {
  return async (ctx, next) => {
    if (!tracingOn()) return next();
    const { context, propagation, trace } = otelApi();
    const tracer = trace.getTracer('titan');
    const parent = propagation.extract(context.active(), ctx.headers);
    const span = tracer.startSpan(`HTTP ${ctx.method}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': ctx.method } }, parent);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      if (route) span.updateName(`HTTP ${ctx.method} ${String(route)}`);
      span.setAttributes({ 'http.route': route ? String(route) : 'unmatched', 'http.response.status_code': ctx.status });
      span.end();
    }
  };
}
