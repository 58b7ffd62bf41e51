/** The two types a stage is built from, after Watermill's router. */
import type { DipEvent } from "../events.ts";

/** Takes one event and returns the events it leads to. */
export type Handler = (event: DipEvent) => Promise<DipEvent[]>;

/** Wraps a handler with a concern (tracing, timeouts, validation). */
export type Middleware = (next: Handler) => Handler;

/** Applies `middleware` around `handler`, the first one outermost. */
export function compose(handler: Handler, middleware: Middleware[]): Handler {
  return middleware.reduceRight((next, wrap) => wrap(next), handler);
}
