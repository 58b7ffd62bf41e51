/**
 * Rate limiting per API key: a token bucket kept in Redis (one Lua step, Redis's own clock), so
 * the limit holds across gateway replicas. Answers 429 with Retry-After and RateLimit-* headers.
 */
import type { MiddlewareHandler } from "hono";
import type { Redis } from "ioredis";
import { HttpProblem } from "../../shared/errors.ts";
import type { Keys } from "../../shared/keys.ts";
import { runScript, script } from "../../shared/lua.ts";
import type { Caller } from "./auth.ts";

const TAKE = script(`
-- KEYS: 1 bucket; ARGV: 1 capacity, 2 refill per second, 3 cost
local cap, rate, cost = tonumber(ARGV[1]), tonumber(ARGV[2]) / 1000, tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or cap
local ts = tonumber(b[2]) or now
tokens = math.min(cap, tokens + math.max(0, now - ts) * rate)
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(cap / rate) + 1000)
return {allowed, tostring(tokens)}
`);

/** Takes `cost` tokens from `key`'s bucket; returns whether it may pass and what is left. */
export async function takeTokens(
  redis: Redis,
  key: string,
  capacity: number,
  perSecond: number,
  cost = 1,
) {
  const [allowed, left] = await runScript<[number, string]>(redis, TAKE, [key], [
    capacity,
    perSecond,
    cost,
  ]);
  return { allowed: allowed === 1, remaining: Number(left) };
}

/** A middleware that limits each caller to `perSecond` requests with bursts up to `capacity`. */
export function rateLimit(
  redis: Redis,
  k: Keys,
  perSecond: number,
  capacity: number,
): MiddlewareHandler {
  return async (c, next) => {
    if (perSecond <= 0) return await next();
    const caller = c.get("caller") as Caller;
    const { allowed, remaining } = await takeTokens(
      redis,
      k.rateLimit(caller.id),
      capacity,
      perSecond,
    );
    const headers = {
      "ratelimit-limit": String(capacity),
      "ratelimit-remaining": String(Math.max(0, Math.floor(remaining))),
      "ratelimit-reset": String(Math.ceil((capacity - remaining) / perSecond)),
    };
    if (!allowed) {
      throw new HttpProblem(
        429,
        "Too many requests",
        `The API key "${caller.id}" may send ${perSecond} uploads per second (bursts of ${capacity}).`,
        {},
        {
          ...headers,
          "retry-after": String(Math.max(1, Math.ceil((1 - remaining) / perSecond))),
        },
      );
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
