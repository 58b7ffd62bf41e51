/**
 * The ingestion gateway's HTTP API: uploads, the documents' status, health. Every error is
 * problem+json (mapped once in shared/http.ts).
 */
import type { Context } from "hono";
import type { Redis } from "ioredis";
import type { Config } from "../../shared/config.ts";
import { readDocument, readTimeline } from "../../shared/documents.ts";
import { HttpProblem } from "../../shared/errors.ts";
import { type AppEnv, createBaseApp } from "../../shared/http.ts";
import type { Keys } from "../../shared/keys.ts";
import { lagOf } from "../../shared/lag.ts";
import type { Logger } from "../../shared/log.ts";
import { authenticate, type Caller, requireRole } from "./auth.ts";
import { readBody } from "./body.ts";
import { withIdempotency } from "./idempotency.ts";
import { ingest } from "./ingest.ts";
import { parseUpload } from "./upload.ts";

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

type Env = AppEnv & { Variables: { caller: Caller } };

function documentLinks(id: string) {
  return {
    self: `/documents/${id}`,
    text: `/documents/${id}/text`,
    content: `/documents/${id}/content`,
  };
}

/** Builds the gateway app. */
export function createGateway(deps: GatewayDeps) {
  const { redis, keys: k, config, logger } = deps;
  const app = createBaseApp(logger, () => ({ redis: redis.status === "ready" || redis.status }));
  const api = app as unknown as import("hono").Hono<Env>;

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

  api.use("/documents/*", authenticate(config.apiKeys));
  api.use("/documents", authenticate(config.apiKeys));

  api.post("/documents", requireRole("ingest"), async (c: Context<Env>) => {
    const caller = c.get("caller");
    const body = await readBody(c.req.raw, config.maxBodyBytes);
    return await withIdempotency(
      {
        redis,
        key: c.req.header("idempotency-key"),
        scope: caller.id,
        keys: k,
        ttlS: config.idempotencyTtlS,
      },
      body,
      c.req.header("content-type") ?? "",
      async () => {
        await checkBackpressure();
        const upload = await parseUpload(body, c.req.raw.headers, caller.id);
        const event = await ingest(redis, k, upload);
        const id = event.data.documentId;
        return {
          status: 202,
          headers: { location: `/documents/${id}` },
          body: { documentId: id, status: "accepted", links: documentLinks(id) },
        };
      },
    );
  });

  api.get("/documents/:id", requireRole("read"), async (c) => {
    const id = c.req.param("id");
    const view = await readDocument(redis, k, id);
    if (!view) throw new HttpProblem(404, "Unknown document", `No document has the id ${id}.`);
    const timeline = await readTimeline(redis, k, id);
    return c.json({ ...view, timeline, links: documentLinks(id) });
  });

  api.get("/documents/:id/text", requireRole("read"), async (c) => {
    const id = c.req.param("id");
    const text = await redis.get(k.blob(id, "text"));
    if (text === null) {
      throw new HttpProblem(404, "Unknown document", `No document has the id ${id}.`);
    }
    return c.text(text, 200, { "content-type": "text/plain; charset=utf-8" });
  });

  api.get("/documents/:id/content", requireRole("read"), async (c) => {
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
