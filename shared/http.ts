/**
 * The HTTP base every dip server shares: a request id, RFC 9457 problem+json for every error
 * (mapped in one place, `onError`), and health endpoints.
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { HttpProblem } from "./errors.ts";
import type { Logger } from "./log.ts";

/** Variables set on every request's context. */
export type AppEnv = { Variables: { requestId: string } };

/** Readiness of a process: its checks by name, each true when ready. */
export type Readiness = () =>
  | Promise<Record<string, boolean | string>>
  | Record<string, boolean | string>;

/** Renders a problem+json response. */
export function problem(
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return new Response(
    JSON.stringify({ type: "about:blank", title, status, detail, ...extra }),
    { status, headers: { "content-type": "application/problem+json", ...headers } },
  );
}

/** Parses a JSON request body; anything else is a 400 problem naming `what` and the parse error. */
export function parseJsonBody(body: Uint8Array | string, what = "body"): unknown {
  try {
    return JSON.parse(typeof body === "string" ? body : new TextDecoder().decode(body));
  } catch (error) {
    throw new HttpProblem(
      400,
      "Invalid JSON",
      `The ${what} is not valid JSON: ${(error as Error).message}`,
    );
  }
}

function zodProblem(error: z.ZodError): Response {
  const errors = error.issues.map((i) => ({
    field: i.path.join(".") || "(body)",
    message: i.message,
  }));
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  return problem(400, "Invalid request", detail, { errors });
}

/** Creates the base app: request id, problem+json errors, `/healthz` and `/readyz`. */
export function createBaseApp<E extends AppEnv = AppEnv>(
  logger: Logger,
  readiness: Readiness,
): Hono<E> {
  const app = new Hono<E>();
  app.use(async (c, next) => {
    const requestId = c.req.header("x-request-id") ?? crypto.randomUUID();
    c.set("requestId", requestId);
    await next();
    c.header("x-request-id", requestId);
  });
  app.onError((error, c) => {
    const instance = { instance: c.req.path, requestId: c.get("requestId") };
    if (error instanceof HttpProblem) {
      return problem(
        error.status,
        error.title,
        error.detail,
        { ...instance, ...error.extra },
        error.headers,
      );
    }
    if (error instanceof z.ZodError) return zodProblem(error);
    logger.error("unhandled error", {
      path: c.req.path,
      error: String(error),
      stack: (error as Error).stack,
    });
    return problem(
      500,
      "Internal error",
      "The server failed to handle the request; it was logged.",
      instance,
    );
  });
  app.notFound((c) => problem(404, "Not found", `No route for ${c.req.method} ${c.req.path}`));
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const checks = await readiness();
    const ready = Object.values(checks).every((v) => v === true);
    return c.json(
      { status: ready ? "ready" : "not ready", checks },
      (ready ? 200 : 503) as ContentfulStatusCode,
    );
  });
  return app;
}
