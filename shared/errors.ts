/**
 * Typed errors. A handler throws one of these to tell the stage runtime what to do; the HTTP
 * layer turns {@link HttpProblem} into an RFC 9457 problem+json answer in one place.
 */

/** A failure worth retrying (a peer timed out, a connection dropped). Retried with backoff. */
export class TransientError extends Error {
  override name = "TransientError";
}

/** A failure no retry can fix (bad input, unknown document). Goes straight to the DLQ. */
export class PermanentError extends Error {
  override name = "PermanentError";
}

/** An HTTP error answered as `application/problem+json`. */
export class HttpProblem extends Error {
  override name = "HttpProblem";
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

/** True when an error should skip retries. Unknown errors are treated as transient. */
export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentError;
}

/** A short, single-line description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
