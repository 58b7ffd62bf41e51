/**
 * Tracing with OpenTelemetry: a tracer provider with real span ids, W3C trace context carried in
 * the events' `traceparent`/`tracestate` extensions (CloudEvents distributed tracing).
 */
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";

let installed = false;

/**
 * Installs the global tracer provider and W3C propagator once. Spans are exported to `exporter`
 * (e.g. the console when OTEL_TRACES_EXPORTER=console); without one they are created and
 * propagated but not exported.
 */
export function installTracing(exporter?: SpanExporter | "console"): void {
  if (installed) return;
  installed = true;
  const processors = exporter
    ? [new SimpleSpanProcessor(exporter === "console" ? new ConsoleSpanExporter() : exporter)]
    : [];
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: processors }));
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/** The tracer dip's code uses. */
export function tracer(): Tracer {
  installTracing();
  return trace.getTracer("dip");
}

/** Trace context carried by an event or an HTTP request. */
export interface TraceCarrier {
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

/** The context described by a carrier (root when it has none). */
export function extractContext(carrier: TraceCarrier): Context {
  installTracing();
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** The carrier for `span`, to put into the events it causes. */
export function injectSpan(span: Span): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return carrier;
}

/** Starts a span named `name` as a child of the carrier's context. */
export function startSpan(name: string, parent: TraceCarrier, kind = SpanKind.CONSUMER): Span {
  return tracer().startSpan(name, { kind }, extractContext(parent));
}
