/** Checks every event a handler returns against the catalog before it is published. */
import { PermanentError } from "../errors.ts";
import { InvalidEvent, validateEvent } from "../events.ts";
import type { Middleware } from "./types.ts";

/** A middleware that turns an invalid output into a {@link PermanentError} (a bug, not a blip). */
export const validateOutputs: Middleware = (next) => async (event) => {
  const outputs = await next(event);
  try {
    return outputs.map((output) => validateEvent(output));
  } catch (error) {
    if (error instanceof InvalidEvent) {
      throw new PermanentError(`invalid output event: ${error.message}`);
    }
    throw error;
  }
};
