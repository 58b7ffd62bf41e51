/**
 * The ingestion gateway's HTTP API: uploads, the documents' status, health. Every error is
 * problem+json (mapped once in shared/http.ts).
 */
import type { Context } from "hono";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Config } from "../../shared/config.ts";
import { readDocument, readTimeline } from "../../shared/documents.ts";
import { HttpProblem } from "../../shared/errors.ts";
import { type AppEnv, createBaseApp } from "../../shared/http.ts";
import type { Keys } from "../../shared/keys.ts";
import { lagOf } from "../../shared/lag.ts";
import type { Logger } from "../../shared/log.ts";
import { authenticate, type Caller, requireRole } from "./auth.ts";
import { readBody } from "./body.ts";
import { type StoredAnswer, withIdempotency } from "./idempotency.ts";
import { ingest } from "./ingest.ts";
import { addAnalystRoutes } from "./analyst_routes.ts";
import { openapi } from "./openapi.ts";
import { rateLimit } from "./rate_limit.ts";
import { cloudEventKey, envelope, parseUpload } from "./upload.ts";

/** What the gateway needs. */
export interface GatewayDeps {
  redis: Redis;
  keys: Keys;
  config: Pick<
    Config,
    | "apiKeys"
    | "maxBodyBytes"
    | "backpressureLag"
    | "idempotencyTtlS"
    | "rateLimitRps"
    | "rateLimitBurst"
  >;
  logger: Logger;
}

/** The gateway's request variables: the base ones plus the authenticated caller. */
export type Env = AppEnv & { Variables: { caller: Caller } };

function documentLinks(id: string) {
  return {
    self: `/documents/${id}`,
    text: `/documents/${id}/text`,
    content: `/documents/${id}/content`,
  };
}

const DASHBOARD = Deno.readTextFileSync(new URL("./static/dashboard.html", import.meta.url));

/** The most items one batch may hold. */
export const MAX_BATCH = 1000;

/** Reads a batch: NDJSON (one envelope per line) or a JSON array of envelopes. */
function parseBatch(body: Uint8Array, contentType: string): unknown[] {
  const text = new TextDecoder().decode(body);
  const ndjson = /ndjson|jsonl|jsonlines/.test(contentType);
  let items: unknown[];
  try {
    items = ndjson
      ? text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l))
      : JSON.parse(text);
  } catch (error) {
    throw new HttpProblem(
      400,
      "Invalid batch",
      `The batch is not valid ${ndjson ? "NDJSON" : "JSON"}: ${(error as Error).message}`,
    );
  }
  if (!Array.isArray(items)) {
    throw new HttpProblem(400, "Invalid batch", "A JSON batch must be an array of documents.");
  }
  if (items.length === 0) {
    throw new HttpProblem(422, "Empty batch", "The batch holds no documents.");
  }
  if (items.length > MAX_BATCH) {
    throw new HttpProblem(
      413,
      "Batch too large",
      `A batch may hold at most ${MAX_BATCH} documents (got ${items.length}).`,
    );
  }
  return items;
}

/** A batch item's error as a status and problem. */
function itemProblem(error: unknown): { status: number; problem: Record<string, unknown> } {
  if (error instanceof HttpProblem) {
    return {
      status: error.status,
      problem: { title: error.title, status: error.status, detail: error.detail, ...error.extra },
    };
  }
  if (error instanceof z.ZodError) {
    const errors = error.issues.map((i) => ({
      field: i.path.join(".") || "(item)",
      message: i.message,
    }));
    return {
      status: 400,
      problem: {
        title: "Invalid request",
        status: 400,
        detail: errors.map((e) => `${e.field}: ${e.message}`).join("; "),
        errors,
      },
    };
  }
  throw error;
}

/** Builds the gateway app. */
export function createGateway(deps: GatewayDeps) {
  const { redis, keys: k, config, logger } = deps;
  const app = createBaseApp<Env>(
    logger,
    () => ({ redis: redis.status === "ready" || redis.status }),
  );

  let lagCache = { at: 0, lag: 0 as number | null };
  async function checkBackpressure() {
    if (Date.now() - lagCache.at > 250) {
      lagCache = {
        at: Date.now(),
        lag: await lagOf(
          redis,
          k.stream("document.ingested"),
          "classification",
          config.backpressureLag,
        ),
      };
    }
    if (lagCache.lag !== null && lagCache.lag > config.backpressureLag) {
      throw new HttpProblem(
        503,
        "Pipeline busy",
        `The classification backlog (${lagCache.lag} documents) is above ${config.backpressureLag}; retry later.`,
        {},
        { "retry-after": "5" },
      );
    }
  }

  const auth = authenticate(config.apiKeys);
  for (const path of ["/documents", "/documents/*", "/pipeline", "/metrics", "/events", "/dlq/*"]) {
    app.use(path, auth);
  }
  app.get("/openapi.json", (c) => c.json(openapi));
  app.get("/", (c) => c.html(DASHBOARD));
  addAnalystRoutes(app, redis, k);

  const limit = rateLimit(redis, k, config.rateLimitRps, config.rateLimitBurst);

  /** Runs `work` for this request at most once per Idempotency-Key (or CloudEvent id). */
  const idempotent = (
    c: Context<Env>,
    body: Uint8Array,
    key: string | undefined,
    work: () => Promise<StoredAnswer>,
  ) =>
    withIdempotency(
      { redis, key, scope: c.get("caller").id, keys: k, ttlS: config.idempotencyTtlS },
      body,
      c.req.header("content-type") ?? "",
      async () => {
        await checkBackpressure();
        return await work();
      },
    );

  /** Extracts, stores and publishes one upload; returns its document id. */
  const accept = async (body: Uint8Array, headers: Headers, source: string) =>
    (await ingest(redis, k, await parseUpload(body, headers, source))).data.documentId;

  app.post("/documents", requireRole("ingest"), limit, async (c: Context<Env>) => {
    const body = await readBody(c.req.raw, config.maxBodyBytes);
    const key = c.req.header("idempotency-key") ?? cloudEventKey(body, c.req.raw.headers);
    return await idempotent(c, body, key, async () => {
      const id = await accept(body, c.req.raw.headers, c.get("caller").id);
      return {
        status: 202,
        headers: { location: `/documents/${id}` },
        body: { documentId: id, status: "accepted", links: documentLinks(id) },
      };
    });
  });

  app.post("/documents/batch", requireRole("ingest"), limit, async (c: Context<Env>) => {
    const body = await readBody(c.req.raw, config.maxBodyBytes);
    const items = parseBatch(body, c.req.header("content-type") ?? "");
    const json = new Headers({ "content-type": "application/json" });
    return await idempotent(c, body, c.req.header("idempotency-key"), async () => {
      const results = [];
      for (const [index, item] of items.entries()) {
        try {
          const bytes = new TextEncoder().encode(JSON.stringify(envelope.parse(item)));
          const id = await accept(bytes, json, c.get("caller").id);
          results.push({ index, status: 202, documentId: id, links: documentLinks(id) });
        } catch (error) {
          results.push({ index, ...itemProblem(error) });
        }
      }
      const accepted = results.filter((r) => r.status === 202).length;
      return {
        status: accepted === results.length ? 202 : 207,
        headers: {},
        body: { accepted, rejected: results.length - accepted, results },
      };
    });
  });

  app.get("/documents/:id", requireRole("read"), async (c) => {
    const id = c.req.param("id");
    const view = await readDocument(redis, k, id);
    if (!view) throw new HttpProblem(404, "Unknown document", `No document has the id ${id}.`);
    const timeline = await readTimeline(redis, k, id);
    return c.json({ ...view, timeline, links: documentLinks(id) });
  });

  app.get("/documents/:id/text", requireRole("read"), async (c) => {
    const id = c.req.param("id");
    const text = await redis.get(k.blob(id, "text"));
    if (text === null) {
      throw new HttpProblem(404, "Unknown document", `No document has the id ${id}.`);
    }
    return c.text(text, 200, { "content-type": "text/plain; charset=utf-8" });
  });

  app.get("/documents/:id/content", requireRole("read"), async (c) => {
    const id = c.req.param("id");
    const [body, type] = await Promise.all([
      redis.getBuffer(k.blob(id, "content")),
      redis.hget(k.doc(id), "contentType"),
    ]);
    if (body === null) {
      throw new HttpProblem(404, "Unknown document", `No document has the id ${id}.`);
    }
    return new Response(new Uint8Array(body), {
      headers: { "content-type": type ?? "application/octet-stream" },
    });
  });

  return app;
}
