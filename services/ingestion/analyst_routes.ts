/**
 * The analysts' API: listing documents, the pipeline's figures, the live event feed, and the
 * dead-letter queues with redrive.
 */
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { Redis } from "ioredis";
import { z } from "zod";
import { HttpProblem } from "../../shared/errors.ts";
import { eventTypes, parseEvent, typeSuffix } from "../../shared/events.ts";
import { type AppEnv, parseJsonBody } from "../../shared/http.ts";
import type { Keys } from "../../shared/keys.ts";
import { readDeadLetters, redriveDeadLetters } from "../../shared/replay.ts";
import { requireRole } from "./auth.ts";
import { pipelineStats, prometheus, STAGES } from "./pipeline.ts";

const GROUPS: string[] = STAGES.map((s) => s.group);

const listQuery = z.object({
  status: z.string().optional(),
  category: z.string().optional(),
  route: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^\d+:[\w-]+$/, "must be a cursor from a previous page").optional(),
});

function knownGroup(group: string): string {
  if (!GROUPS.includes(group)) {
    throw new HttpProblem(
      404,
      "Unknown group",
      `There is no consumer group "${group}"; groups: ${GROUPS.join(", ")}.`,
    );
  }
  return group;
}

/** Most live-feed connections at once (each holds a Redis connection). */
const MAX_FEEDS = 50;

/** Adds the analysts' routes to `app`. */
export function addAnalystRoutes<E extends AppEnv>(app: Hono<E>, redis: Redis, k: Keys): void {
  app.use("/pipeline", requireRole("read"));
  app.use("/metrics", requireRole("read"));
  app.use("/events", requireRole("read"));
  app.use("/dlq/*", requireRole("admin"));

  app.get("/documents", requireRole("read"), async (c) => {
    const q = listQuery.parse(c.req.query());
    const PAGE = 200;
    let [max, skip] = q.cursor
      ? q.cursor.split(":") as [string, string | undefined]
      : ["+inf", undefined];
    const items: Record<string, unknown>[] = [];
    let next: string | undefined;
    for (let scanned = 0; items.length < q.limit && scanned < q.limit * 20;) {
      const flat = await redis.zrevrangebyscore(
        k.docIndex(),
        max,
        "-inf",
        "WITHSCORES",
        "LIMIT",
        0,
        PAGE,
      );
      let page: [string, string][] = [];
      for (let i = 0; i < flat.length; i += 2) page.push([flat[i]!, flat[i + 1]!]);
      const full = page.length === PAGE;
      const at = skip ? page.findIndex(([id]) => id === skip) : -1;
      if (at >= 0) page = page.slice(at + 1); // the cursor's own entry and its same-score elders
      if (page.length === 0) break;
      scanned += page.length;
      const pipe = redis.pipeline();
      for (const [id] of page) {
        pipe.hmget(
          k.doc(id),
          "status",
          "stage",
          "updatedAt",
          "createdAt",
          "document.classified",
          "routing.decided",
          "document.ingested",
        );
      }
      const rows = (await pipe.exec())!.map(([, v]) => v as (string | null)[]);
      for (const [i, [id, score]] of page.entries()) {
        const [status, stage, updatedAt, createdAt, classified, routed, ingested] = rows[i]!;
        if (!status) continue; // deleted by retention since the index was read
        const category = classified ? JSON.parse(classified).category : undefined;
        const route = routed ? JSON.parse(routed).route : undefined;
        if (
          (q.status && status !== q.status) || (q.category && category !== q.category) ||
          (q.route && route !== q.route)
        ) continue;
        items.push({
          documentId: id,
          status,
          stage,
          title: ingested ? JSON.parse(ingested).title : undefined,
          category,
          route,
          createdAt,
          updatedAt: updatedAt ? new Date(Number(updatedAt)).toISOString() : undefined,
          links: { self: `/documents/${id}` },
        });
        if (items.length === q.limit) {
          next = `${score}:${id}`;
          break;
        }
      }
      if (!full) break;
      const [lastId, lastScore] = page.at(-1)!;
      max = lastScore;
      skip = lastId;
    }
    return c.json({
      items,
      next: next ? `/documents?${new URLSearchParams({ ...c.req.query(), cursor: next })}` : null,
    });
  });

  app.get("/pipeline", async (c) => c.json(await pipelineStats(redis, k)));

  app.get(
    "/metrics",
    async (c) =>
      c.text(prometheus(await pipelineStats(redis, k)), 200, {
        "content-type": "text/plain; version=0.0.4",
      }),
  );

  app.get("/dlq/:group", async (c) => {
    const group = knownGroup(c.req.param("group"));
    const limit = z.coerce.number().int().min(1).max(500).default(100).parse(c.req.query("limit"));
    const cursor = c.req.query("cursor");
    if (cursor !== undefined && !/^\d+-\d+$/.test(cursor)) {
      throw new HttpProblem(
        400,
        "Invalid cursor",
        "cursor must be a DLQ entry id (e.g. 1700000000000-0).",
      );
    }
    const letters = await readDeadLetters(redis, k, group, limit, cursor);
    return c.json({
      group,
      depth: await redis.xlen(k.dlq(group)),
      items: letters.map((l) => ({ id: l.id, ...l.fields })),
      next: letters.length === limit
        ? `/dlq/${group}?limit=${limit}&cursor=${letters.at(-1)!.id}`
        : null,
    });
  });

  app.post("/dlq/:group/replay", async (c) => {
    const group = knownGroup(c.req.param("group"));
    const text = await c.req.text();
    const body = z.object({
      ids: z.array(z.string().regex(/^\d+-\d+$/)).min(1).optional(),
      dryRun: z.boolean().optional(),
    }).strict()
      .parse(text.trim() ? parseJsonBody(text) : {});
    const results = await redriveDeadLetters(redis, k, group, {
      ...(body.ids ? { ids: body.ids } : {}),
      dryRun: body.dryRun ?? false,
    });
    return c.json({
      group,
      redriven: results.filter((r) => r.status === "redriven").length,
      results,
    });
  });

  let feeds = 0;
  app.get("/events", (c) => {
    if (feeds >= MAX_FEEDS) {
      throw new HttpProblem(
        503,
        "Too many live feeds",
        `At most ${MAX_FEEDS} live feeds may be open at once.`,
        {},
        { "retry-after": "10" },
      );
    }
    const wanted = c.req.query("document");
    return streamSSE(c, async (sse) => {
      feeds++;
      const reader = redis.duplicate({ connectionName: "dip-ingestion:events" });
      reader.on("error", () => {});
      const streams = eventTypes.map((t) => k.stream(typeSuffix(t)));
      const ids = streams.map(() => "$");
      let open = true;
      sse.onAbort(() => {
        open = false;
        reader.disconnect();
      });
      try {
        while (open) {
          const reply = await reader.xread(
            "COUNT",
            100,
            "BLOCK",
            15_000,
            "STREAMS",
            ...streams,
            ...ids,
          ).catch(() => null);
          if (!open) break;
          if (!reply) {
            await sse.writeSSE({ event: "ping", data: "{}" });
            continue;
          }
          for (const [stream, entries] of reply) {
            ids[streams.indexOf(stream)] = entries.at(-1)![0];
            for (const [entryId, fields] of entries) {
              let event;
              try {
                event = parseEvent(fields[fields.indexOf("event") + 1]);
              } catch {
                continue;
              }
              if (wanted && event.subject !== wanted) continue;
              await sse.writeSSE({
                id: entryId,
                event: typeSuffix(event.type),
                data: JSON.stringify({
                  documentId: event.subject,
                  type: event.type,
                  time: event.time,
                  eventId: event.id,
                  data: event.data,
                }),
              });
            }
          }
        }
      } finally {
        feeds--;
        reader.disconnect();
      }
    });
  });
}
