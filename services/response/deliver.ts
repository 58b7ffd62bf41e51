/**
 * Webhook delivery: signed JSON POSTs (Standard Webhooks), retried with backoff, guarded by a
 * circuit breaker per host and the SSRF guard. Delivery is at-least-once; the `webhook-id`
 * (the response event id) lets receivers drop repeats.
 */
import { backoffDelay, sleep } from "../../shared/backoff.ts";
import { refusal } from "./address_guard.ts";
import { CircuitBreakers } from "../../shared/breaker.ts";
import { signatureHeaders } from "./signature.ts";

/** How a delivery went. */
export interface DeliveryResult {
  destination: string;
  status: "delivered" | "failed" | "refused";
  attempts: number;
  detail?: string;
}

/** Delivery settings; every field but `secret` has a default. */
export interface WebhookOptions {
  /** Standard Webhooks secret (`whsec_…`); without one, messages are sent unsigned. */
  secret: string | undefined;
  /** Hosts allowed although they resolve to private addresses. */
  allowHosts?: string[];
  /** Attempts per delivery; default 3. */
  attempts?: number;
  /** Backoff scale, in ms; default 250. */
  retryBaseMs?: number;
  /** Timeout of one request, in ms; default 5000. */
  timeoutMs?: number;
  breakers?: CircuitBreakers;
  resolve?: (host: string) => Promise<string[]>;
}

/** Returns a function that delivers one message to one URL. */
export function webhookSender(options: WebhookOptions) {
  const attempts = options.attempts ?? 3;
  const breakers = options.breakers ?? new CircuitBreakers();
  return async (url: string, messageId: string, payload: unknown): Promise<DeliveryResult> => {
    const why = await refusal(url, options.allowHosts ?? [], options.resolve).catch((e) =>
      `invalid URL: ${e.message}`
    );
    if (why) return { destination: url, status: "refused", attempts: 0, detail: why };
    const host = new URL(url).host;
    const body = JSON.stringify(payload);
    let detail = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (!breakers.allow(host)) {
        return {
          destination: url,
          status: "failed",
          attempts: attempt - 1,
          detail: `circuit open for ${host}`,
        };
      }
      try {
        const headers: Record<string, string> = {
          "content-type": "application/json",
          "user-agent": "dip-webhooks/1",
        };
        Object.assign(
          headers,
          options.secret
            ? signatureHeaders(options.secret, messageId, new Date(), body)
            : { "webhook-id": messageId },
        );
        const res = await fetch(url, {
          method: "POST",
          headers,
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        });
        await res.body?.cancel();
        if (res.ok) {
          breakers.succeeded(host);
          return { destination: url, status: "delivered", attempts: attempt };
        }
        detail = `HTTP ${res.status}`;
        breakers.failed(host);
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          return { destination: url, status: "failed", attempts: attempt, detail };
        }
      } catch (error) {
        detail = error instanceof Error ? error.message : String(error);
        breakers.failed(host);
      }
      if (attempt < attempts) {
        await sleep(backoffDelay(attempt, { baseMs: options.retryBaseMs ?? 250, capMs: 5000 }));
      }
    }
    return { destination: url, status: "failed", attempts, detail };
  };
}

/** Sends one message to one URL; see {@link webhookSender}. */
export type WebhookSender = ReturnType<typeof webhookSender>;
