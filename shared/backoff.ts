/** Exponential backoff with full jitter (AWS architecture blog), the one retry delay dip uses. */

/** Backoff settings. */
export interface Backoff {
  /** Delay scale of the first retry, in ms. */
  baseMs: number;
  /** Largest delay, in ms. */
  capMs: number;
}

/**
 * The delay before retry number `attempt` (1 = first retry): uniformly random between 0 and
 * `min(cap, base * 2^(attempt-1))`.
 */
export function backoffDelay(
  attempt: number,
  b: Backoff,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(b.capMs, b.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
