/** Fails a handler that runs too long, as a transient error, so its entry is retried. */
import { TransientError } from "../errors.ts";
import type { Middleware } from "./types.ts";

/** A middleware that rejects with {@link TransientError} after `ms` milliseconds. */
export function timeout(ms: number): Middleware {
  return (next) => (event) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TransientError(`handler did not finish within ${ms} ms`)),
        ms,
      );
    });
    return Promise.race([next(event), expired]).finally(() => clearTimeout(timer));
  };
}
