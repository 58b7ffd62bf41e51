/** A circuit breaker per host: open after consecutive failures, one trial call after a cool-down. */

/** Breaker settings. */
export interface BreakerOptions {
  /** Consecutive failures that open the circuit; default 5. */
  threshold?: number;
  /** How long an open circuit refuses calls before one trial, in ms; default 30000. */
  coolDownMs?: number;
  now?: () => number;
}

interface State {
  failures: number;
  openedAt: number | undefined;
  trial: boolean;
}

/** Breakers for many hosts. */
export class CircuitBreakers {
  #states = new Map<string, State>();
  readonly #threshold: number;
  readonly #coolDownMs: number;
  readonly #now: () => number;
  constructor(options: BreakerOptions = {}) {
    this.#threshold = options.threshold ?? 5;
    this.#coolDownMs = options.coolDownMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }
  #state(host: string): State {
    let s = this.#states.get(host);
    if (!s) this.#states.set(host, s = { failures: 0, openedAt: undefined, trial: false });
    return s;
  }
  /** `closed`, `open` or `half-open` (one trial call allowed). */
  state(host: string): "closed" | "open" | "half-open" {
    const s = this.#state(host);
    if (s.openedAt === undefined) return "closed";
    return this.#now() - s.openedAt >= this.#coolDownMs ? "half-open" : "open";
  }
  /** Whether a call to `host` may go out now (in half-open state: only the first caller). */
  allow(host: string): boolean {
    const state = this.state(host);
    if (state === "closed") return true;
    if (state === "open") return false;
    const s = this.#state(host);
    if (s.trial) return false;
    s.trial = true;
    return true;
  }
  succeeded(host: string): void {
    this.#states.set(host, { failures: 0, openedAt: undefined, trial: false });
  }
  failed(host: string): void {
    const s = this.#state(host);
    s.failures++;
    s.trial = false;
    if (s.openedAt !== undefined || s.failures >= this.#threshold) s.openedAt = this.#now();
  }
}
