/** API-key authentication with roles; secrets are compared in constant time. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { ApiKey } from "../../shared/config.ts";
import { HttpProblem } from "../../shared/errors.ts";

/** Who is calling, after authentication. */
export interface Caller {
  id: string;
  roles: Set<string>;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Finds the key whose secret equals `presented`, comparing every key in constant time. */
export function matchKey(keys: ApiKey[], presented: string): ApiKey | undefined {
  const p = digest(presented);
  let found: ApiKey | undefined;
  for (const key of keys) if (timingSafeEqual(digest(key.secret), p) && !found) found = key;
  return found;
}

/**
 * Sets `caller` from `Authorization: Bearer <key>` or `X-API-Key`. With no keys configured every
 * caller is `anonymous` with every role (the gateway then refuses to bind beyond loopback).
 */
export function authenticate(keys: ApiKey[]): MiddlewareHandler {
  return async (c, next) => {
    if (keys.length === 0) {
      c.set("caller", { id: "anonymous", roles: new Set(["ingest", "read", "admin"]) });
      return await next();
    }
    const header = c.req.header("authorization");
    const presented = header?.match(/^Bearer\s+(.+)$/i)?.[1] ?? c.req.header("x-api-key");
    if (!presented) {
      throw new HttpProblem(
        401,
        "Unauthorized",
        "Send an API key as `Authorization: Bearer <key>` or `X-API-Key`.",
        {},
        {
          "www-authenticate": 'Bearer realm="dip"',
        },
      );
    }
    const key = matchKey(keys, presented.trim());
    if (!key) {
      throw new HttpProblem(401, "Unauthorized", "The API key is not valid.", {}, {
        "www-authenticate": 'Bearer realm="dip", error="invalid_token"',
      });
    }
    c.set("caller", { id: key.id, roles: key.roles });
    await next();
  };
}

/** Lets the request through only when the caller has `role` (admin has every role). */
export function requireRole(role: "ingest" | "read" | "admin"): MiddlewareHandler {
  return async (c, next) => {
    const caller = c.get("caller") as Caller | undefined;
    if (!caller || !(caller.roles.has(role) || caller.roles.has("admin"))) {
      throw new HttpProblem(403, "Forbidden", `This API key lacks the "${role}" role.`);
    }
    await next();
  };
}
