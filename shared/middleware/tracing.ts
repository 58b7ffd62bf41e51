/** Opens a span per handled event and carries its trace context into the output events. */
import { SpanStatusCode } from "@opentelemetry/api";
import { describeError } from "../errors.ts";
import { injectSpan, startSpan } from "../telemetry.ts";
import type { Middleware } from "./types.ts";

/** A middleware that traces `stage` handling, continuing the input event's trace. */
export function tracing(stage: string): Middleware {
  return (next) => async (event) => {
    const span = startSpan(`${stage} ${event.type}`, event);
    span.setAttributes({
      "dip.document_id": event.subject,
      "dip.event_id": event.id,
      "messaging.system": "redis",
      "messaging.destination.name": event.type,
    });
    try {
      const outputs = await next(event);
      const carrier = injectSpan(span);
      return outputs.map((output) => ({ ...output, ...carrier }));
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(error) });
      throw error;
    } finally {
      span.end();
    }
  };
}
