/**
 * Idempotency-Key (IETF httpapi draft): the first request with a key is processed and its answer
 * stored; a retry with the same body gets the stored answer; a different body with the same key
 * gets 422; a retry while the first is still in flight gets 409. Scoped per API key.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { HttpProblem } from "../../shared/errors.ts";
import type { Keys } from "../../shared/keys.ts";

/** An answer worth storing. */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface Record_ {
  state: "in-flight" | "done";
  fingerprint: string;
  /** Identifies the request holding an in-flight claim (a resent SET NX finds its own claim). */
  token: string;
  answer?: StoredAnswer;
}

/**
 * How long an in-flight claim holds without being renewed. A working request renews it every
 * third of this, so a claim outlives its request only when the gateway died (then retries get
 * 409 for at most this long, not forever).
 */
const IN_FLIGHT_TTL_S = 10;

/** Options of {@link withIdempotency}. */
export interface IdempotencyOptions {
  redis: Redis;
  /** The Idempotency-Key header; without one the request simply runs. */
  key: string | undefined;
  /** The API key id the key belongs to. */
  scope: string;
  keys: Keys;
  ttlS: number;
}

function respond(a: StoredAnswer, replayed: boolean): Response {
  return new Response(JSON.stringify(a.body), {
    status: a.status,
    headers: {
      "content-type": "application/json",
      ...a.headers,
      ...(replayed ? { "idempotent-replayed": "true" } : {}),
    },
  });
}

/** Runs `work` at most once per (scope, key, body); see the module doc. */
export async function withIdempotency(
  o: IdempotencyOptions,
  body: Uint8Array,
  contentType: string,
  work: () => Promise<StoredAnswer>,
): Promise<Response> {
  if (o.key === undefined) return respond(await work(), false);
  if (!/^[\x21-\x7e]{1,255}$/.test(o.key)) {
    throw new HttpProblem(
      400,
      "Invalid Idempotency-Key",
      "The Idempotency-Key must be 1–255 visible ASCII characters.",
    );
  }
  const redisKey = o.keys.httpIdempotency(o.scope, o.key);
  const fingerprint = createHash("sha256").update(contentType).update("\0").update(body).digest(
    "hex",
  );
  const token = crypto.randomUUID();
  const claim: Record_ = { state: "in-flight", fingerprint, token };
  const claimed = await o.redis.set(redisKey, JSON.stringify(claim), "EX", IN_FLIGHT_TTL_S, "NX");
  const seen = claimed === "OK"
    ? undefined
    : await o.redis.get(redisKey).then((t) => (t ? JSON.parse(t) as Record_ : undefined));
  if (claimed !== "OK" && seen?.token !== token) {
    if (!seen) return await withIdempotency(o, body, contentType, work);
    if (seen.fingerprint !== fingerprint) {
      throw new HttpProblem(
        422,
        "Idempotency-Key reused",
        "This Idempotency-Key was already used with a different request body.",
      );
    }
    if (seen.state === "in-flight") {
      throw new HttpProblem(
        409,
        "Request in progress",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        {},
        {
          "retry-after": "1",
        },
      );
    }
    return respond(seen.answer!, true);
  }
  let answer: StoredAnswer;
  const renew = setInterval(
    () => o.redis.expire(redisKey, IN_FLIGHT_TTL_S).catch(() => {}),
    (IN_FLIGHT_TTL_S * 1000) / 3,
  );
  try {
    answer = await work();
  } catch (error) {
    await o.redis.del(redisKey);
    throw error;
  } finally {
    clearInterval(renew);
  }
  const done: Record_ = { state: "done", fingerprint, token, answer };
  await o.redis.set(redisKey, JSON.stringify(done), "EX", o.ttlS);
  return respond(answer, false);
}
